package org.lorafoundry.cli.http;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A {@code multipart/form-data} body of file parts (RFC 7578), streamed from the files: the JDK's HTTP client has no
 * multipart support, and the files may be large.
 */
public final class MultipartBody {

    private final String boundary = "foundry-" + UUID.randomUUID();
    private final List<BodyPublisher> parts = new ArrayList<>();

    /** Adds the part {@code name} with the content of {@code file}. */
    public MultipartBody file(String name, Path file, String contentType) throws FileNotFoundException {
        String fileName = file.getFileName().toString().replace("\\", "\\\\").replace("\"", "\\\"");
        parts.add(BodyPublishers.ofString("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: " + contentType + "\r\n\r\n"));
        parts.add(BodyPublishers.ofFile(file));
        parts.add(BodyPublishers.ofString("\r\n"));
        return this;
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    public BodyPublisher publisher() {
        List<BodyPublisher> all = new ArrayList<>(parts);
        all.add(BodyPublishers.ofString("--" + boundary + "--\r\n"));
        return BodyPublishers.concat(all.toArray(BodyPublisher[]::new));
    }
}
