package org.lorafoundry.cli.config;

import java.net.URI;

/** The services the CLI talks to, with the local defaults of {@code ./foundry up}. */
public enum Service {

    JOBS("jobs", 8082, "FOUNDRY_JOBS_URL", "--url-jobs"),
    DATASETS("datasets", 8081, "FOUNDRY_DATASETS_URL", "--url-datasets"),
    REGISTRY("registry", 8080, "FOUNDRY_REGISTRY_URL", "--url-registry");

    private final String displayName;
    private final int defaultPort;
    private final String environmentVariable;
    private final String flag;

    Service(String displayName, int defaultPort, String environmentVariable, String flag) {
        this.displayName = displayName;
        this.defaultPort = defaultPort;
        this.environmentVariable = environmentVariable;
        this.flag = flag;
    }

    public String displayName() {
        return displayName;
    }

    public URI defaultUrl() {
        return URI.create("http://127.0.0.1:" + defaultPort);
    }

    public String environmentVariable() {
        return environmentVariable;
    }

    public String flag() {
        return flag;
    }
}
