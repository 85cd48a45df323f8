package org.lorafoundry.platform.messaging;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Command line of {@link TopicProvisioner}, used by {@code infra/topics.sh}:
 * {@code --bootstrap-servers H:P --definitions infra/topics.conf --teams a,b}.
 */
public final class TopicProvisionerMain {

    private TopicProvisionerMain() {
    }

    public static void main(String[] args) {
        String bootstrap = null;
        Path definitions = null;
        List<String> teams = List.of();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = value;
                case "--definitions" -> definitions = Path.of(value);
                case "--teams" -> teams = Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (bootstrap == null || definitions == null) {
            usage("--bootstrap-servers and --definitions are required");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<String> created = new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(TopicDefinitions.fromFile(definitions), teams);
            System.out.println(created.isEmpty() ? "All topics exist." : "Created " + String.join(", ", created));
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: TopicProvisionerMain --bootstrap-servers HOST:PORT --definitions FILE [--teams a,b]");
        System.exit(2);
    }
}
