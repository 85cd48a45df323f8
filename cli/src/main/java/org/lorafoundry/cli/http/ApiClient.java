package org.lorafoundry.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.config.Settings;

/**
 * The services' REST APIs over the JDK's HTTP client: JSON in and out, the bearer token on every call, every error
 * answer turned into an {@link ApiError} and every transport failure into an {@link ExitCode#UNAVAILABLE} error that
 * says which service and URL could not be reached.
 */
public final class ApiClient {

    /** Calls that move no bulk data answer within this, or the service is in trouble. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper mapper;

    public ApiClient(Settings settings, ObjectMapper mapper) {
        this.settings = settings;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** A successful answer: its status (201 created or 200 existing, say) and its JSON. */
    public record Reply(int status, JsonNode body) {
    }

    /** The headers and file of a finished download. */
    public record Download(Path file, long sizeBytes, HttpHeaders headers) {

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    public JsonNode get(Service service, String path, Query query) {
        return call(service, "GET", path, query, BodyPublishers.noBody(), null, Map.of(), CALL_TIMEOUT).body();
    }

    /** A call with a JSON body ({@code null}: none). */
    public Reply send(Service service, String method, String path, Query query, Object body,
            Map<String, String> headers) {
        BodyPublisher publisher;
        try {
            publisher = body == null ? BodyPublishers.noBody()
                    : BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the request body as JSON", e);
        }
        return call(service, method, path, query, publisher, body == null ? null : "application/json", headers,
                CALL_TIMEOUT);
    }

    /** A call whose body is streamed (a dataset upload): no time limit, large files take what they take. */
    public Reply upload(Service service, String path, Query query, BodyPublisher body, String contentType) {
        return call(service, "POST", path, query, body, contentType, Map.of(), null);
    }

    /**
     * Streams the answer into {@code target} (through a temporary file beside it, so a failed transfer never leaves a
     * partial file under the real name).
     */
    public Download download(Service service, String path, Query query, Path target) {
        HttpRequest request = request(service, "GET", path, query, BodyPublishers.noBody(), null, Map.of(), null);
        HttpResponse<InputStream> response = exchange(service, request, BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(service, request, response.statusCode(), new String(body.readAllBytes(),
                        StandardCharsets.UTF_8));
            }
            Path absolute = target.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            Path partial = absolute.resolveSibling(absolute.getFileName() + ".part");
            long size = Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
            return new Download(absolute, size, response.headers());
        } catch (IOException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "TRANSFER_FAILED", "The download from the "
                    + service.displayName() + " service broke off (" + describe(e) + "); nothing was saved as "
                    + target + ". The service cuts a transfer whose checksum does not match: try again");
        }
    }

    /**
     * Follows a Server-Sent Events stream, handing each event to {@code handler} until it returns false.
     *
     * @return true when the handler stopped, false when the service ended the stream first
     */
    public boolean events(Service service, String path, Predicate<ServerSentEvent> handler) {
        HttpRequest request = request(service, "GET", path, Query.of(), BodyPublishers.noBody(), null,
                Map.of("Accept", "text/event-stream"), null);
        HttpResponse<Stream<String>> response = exchange(service, request, BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(service, request, response.statusCode(), String.join("\n", lines.toList()));
            }
            ServerSentEventParser parser = new ServerSentEventParser();
            Iterator<String> iterator = lines.iterator();
            while (iterator.hasNext()) {
                Optional<ServerSentEvent> event = parser.line(iterator.next());
                if (event.isPresent() && !handler.test(event.get())) {
                    return true; // closing the stream closes the connection
                }
            }
            return false;
        } catch (UncheckedIOException e) {
            throw unreachable(service, request.uri(), e.getCause());
        }
    }

    private Reply call(Service service, String method, String path, Query query, BodyPublisher body,
            String contentType, Map<String, String> headers, Duration timeout) {
        HttpRequest request = request(service, method, path, query, body, contentType, headers, timeout);
        HttpResponse<String> response = exchange(service, request, BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw error(service, request, response.statusCode(), response.body());
        }
        if (response.body() == null || response.body().isBlank()) {
            return new Reply(response.statusCode(), NullNode.getInstance());
        }
        try {
            return new Reply(response.statusCode(), mapper.readTree(response.body()));
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "BAD_RESPONSE", "The " + service.displayName()
                    + " service answered " + method + " " + path + " with something that is not JSON: is "
                    + settings.url(service) + " really the " + service.displayName() + " service?");
        }
    }

    private HttpRequest request(Service service, String method, String path, Query query, BodyPublisher body,
            String contentType, Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.url(service) + path + query))
                .method(method, body).header("Accept", "application/json");
        if (timeout != null) {
            builder.timeout(timeout);
        }
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        if (settings.token() != null) {
            builder.header("Authorization", "Bearer " + settings.token());
        }
        headers.forEach(builder::setHeader);
        return builder.build();
    }

    private <T> HttpResponse<T> exchange(Service service, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw unreachable(service, request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "INTERRUPTED", "Interrupted while waiting for the "
                    + service.displayName() + " service");
        }
    }

    private ApiError error(Service service, HttpRequest request, int status, String body) {
        return ApiError.of(service, request.method() + " " + request.uri().getRawPath(), status, body,
                settings.token() != null, mapper);
    }

    private CliException unreachable(Service service, URI uri, Throwable cause) {
        String base = settings.url(service).toString();
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            return new CliException(ExitCode.UNAVAILABLE, "TIMEOUT", "The " + service.displayName() + " service at "
                    + base + " did not answer " + uri.getRawPath() + " within " + CALL_TIMEOUT.toSeconds() + " s");
        }
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            // The JDK reports a refused connection as a ConnectException without a message.
            String why = cause instanceof HttpConnectTimeoutException ? "no answer" : "connection refused";
            return new CliException(ExitCode.UNAVAILABLE, "UNREACHABLE", "Cannot reach the " + service.displayName()
                    + " service at " + base + " (" + why + "): is it running ('./foundry status')? "
                    + service.flag() + " or " + service.environmentVariable() + " names another");
        }
        return new CliException(ExitCode.UNAVAILABLE, "CONNECTION_FAILED", "The connection to the "
                + service.displayName() + " service at " + base + " failed: " + describe(cause));
    }

    private static String describe(Throwable e) {
        // The JDK's HTTP client often throws with a null message: the type is then all there is to say.
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getCause() != null && e.getCause() != e ? describe(e.getCause()) : e.getClass().getSimpleName();
        }
        return message;
    }
}
