package org.lorafoundry.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * This process's memory as Linux counts it ({@code /proc/self/status}, bytes): the peak resident set
 * ({@code VmHWM}) and the current one split into anonymous memory (heaps: Java's, libtorch's) and file pages
 * (memory-mapped weights, libraries).
 */
record ProcessMemory(long peakRss, long rss, long rssAnon, long rssFile) {

    static ProcessMemory ofSelf() throws IOException {
        Map<String, Long> kb = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            String[] parts = line.split(":\\s+");
            if (parts.length == 2 && parts[1].endsWith(" kB")) {
                kb.put(parts[0], Long.parseLong(parts[1].substring(0, parts[1].length() - 3).trim()));
            }
        }
        return new ProcessMemory(bytes(kb, "VmHWM"), bytes(kb, "VmRSS"), bytes(kb, "RssAnon"), bytes(kb, "RssFile"));
    }

    private static long bytes(Map<String, Long> kb, String key) throws IOException {
        Long v = kb.get(key);
        if (v == null) {
            throw new IOException("/proc/self/status has no " + key);
        }
        return v * 1024;
    }
}
