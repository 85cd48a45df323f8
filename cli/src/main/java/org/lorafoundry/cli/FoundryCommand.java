package org.lorafoundry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import org.lorafoundry.cli.config.CliConfig;
import org.lorafoundry.cli.config.ConfigStore;
import org.lorafoundry.cli.config.Settings;
import org.lorafoundry.cli.http.ApiClient;
import org.lorafoundry.cli.output.Output;

/**
 * {@code foundry}: the root command. Holds the options every command accepts (anywhere on the line) and, per run, the
 * settings, the REST client and the output they lead to.
 */
@Command(name = "foundry", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "The LoRA Foundry command-line client: datasets, training jobs, adapters, base models.",
        subcommands = {LoginCommand.class, DatasetsCommand.class, JobsCommand.class, AdaptersCommand.class,
                ModelsCommand.class, AdminCommand.class, HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  ok",
                "  1  usage: a wrong command line or file (or an unexpected error of the CLI)",
                "  2  not found (another team's private data is also not found)",
                "  3  refused as invalid or conflicting (HTTP 400/409/413/422, a bad spec)",
                "  4  unauthorised (no or a bad token: 401) or forbidden (403)",
                "  5  a service failed (5xx) or could not be reached (HTTP or Kafka)",
                "  6  jobs watch: the job ended FAILED, REJECTED or CANCELLED",
                "",
                "Settings come from flags, then the environment (FOUNDRY_TOKEN, FOUNDRY_TEAM,",
                "FOUNDRY_JOBS_URL, FOUNDRY_DATASETS_URL, FOUNDRY_REGISTRY_URL,",
                "KAFKA_BOOTSTRAP_SERVERS), then the config file 'foundry login' writes",
                "(FOUNDRY_CONFIG, default ~/.config/foundry/config.json), then the local",
                "defaults: jobs :8082, datasets :8081, registry :8080, Kafka :9092."})
public final class FoundryCommand {

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print the services' JSON instead of tables (errors also as a JSON object on stdout).")
    boolean json;

    @Option(names = "--team", scope = ScopeType.INHERIT, paramLabel = "TEAM",
            description = "The team to act for (default: FOUNDRY_TEAM, the config, or the token's only team).")
    String team;

    @Option(names = "--url-jobs", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The jobs service (default: FOUNDRY_JOBS_URL, the config, http://127.0.0.1:8082).")
    String jobsUrl;

    @Option(names = "--url-datasets", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The datasets service (default: FOUNDRY_DATASETS_URL, the config, http://127.0.0.1:8081).")
    String datasetsUrl;

    @Option(names = "--url-registry", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The registry (default: FOUNDRY_REGISTRY_URL, the config, http://127.0.0.1:8080).")
    String registryUrl;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "The config file (default: FOUNDRY_CONFIG, ~/.config/foundry/config.json).")
    String configFile;

    private final CliEnvironment environment;
    private final ObjectMapper mapper = new ObjectMapper();
    private Output output;
    private Settings settings;
    private ApiClient api;

    FoundryCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    CliEnvironment environment() {
        return environment;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    Output output() {
        if (output == null) {
            output = new Output(environment.out(), environment.err(), json, environment.terminal(), mapper);
        }
        return output;
    }

    ConfigStore configStore() {
        return ConfigStore.locate(configFile, environment.variables());
    }

    /** What the flags of this command line say, as a config (null: not given). */
    CliConfig flags() {
        return new CliConfig(null, team, jobsUrl, datasetsUrl, registryUrl, null);
    }

    Settings settings() {
        if (settings == null) {
            settings = Settings.resolve(flags(), environment.variables(), configStore().load());
        }
        return settings;
    }

    ApiClient api() {
        if (api == null) {
            api = new ApiClient(settings(), mapper);
        }
        return api;
    }
}
