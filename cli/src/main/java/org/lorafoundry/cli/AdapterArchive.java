package org.lorafoundry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks a downloaded adapter zip the way a person would with {@code sha256sum -c SHA256SUMS}: every file the
 * {@code SHA256SUMS} listing names is in the zip with that SHA-256, and the listing's own SHA-256 is the version's
 * manifest checksum ({@code X-Manifest-Sha256}), so the files are the ones the registry registered.
 */
final class AdapterArchive {

    private static final String SUMS = "SHA256SUMS";

    private AdapterArchive() {
    }

    /**
     * @param manifestSha256 the registry's {@code X-Manifest-Sha256}; null to skip that check
     * @return how many files were verified
     */
    static int verify(Path zip, String manifestSha256) {
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            ZipEntry sums = archive.stream().filter(entry -> entry.getName().endsWith("/" + SUMS)
                    || entry.getName().equals(SUMS)).findFirst().orElseThrow(() -> corrupt(zip, "it has no " + SUMS));
            String directory = sums.getName().substring(0, sums.getName().length() - SUMS.length());
            byte[] listing;
            try (InputStream in = archive.getInputStream(sums)) {
                listing = in.readAllBytes();
            }
            if (manifestSha256 != null && !manifestSha256.equalsIgnoreCase(hex(sha256().digest(listing)))) {
                throw corrupt(zip, SUMS + " is not the registered manifest " + manifestSha256);
            }
            int verified = 0;
            for (String line : new String(listing, StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                // sha256sum's format: "<64 hex>  <path>"
                String expected = line.substring(0, 64);
                String path = line.substring(66);
                ZipEntry entry = archive.getEntry(directory + path);
                if (entry == null) {
                    throw corrupt(zip, path + " is listed in " + SUMS + " but missing");
                }
                MessageDigest digest = sha256();
                try (InputStream in = archive.getInputStream(entry)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                        digest.update(buffer, 0, read);
                    }
                }
                if (!expected.equalsIgnoreCase(hex(digest.digest()))) {
                    throw corrupt(zip, path + " does not match its SHA-256 in " + SUMS);
                }
                verified++;
            }
            return verified;
        } catch (IOException | StringIndexOutOfBoundsException e) {
            throw corrupt(zip, "it is not a readable adapter zip (" + e.getMessage() + ")");
        }
    }

    private static CliException corrupt(Path zip, String why) {
        return new CliException(ExitCode.UNAVAILABLE, "ARTIFACT_CORRUPT", "The downloaded " + zip + " failed its "
                + "check: " + why + ". Delete it and download again");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
