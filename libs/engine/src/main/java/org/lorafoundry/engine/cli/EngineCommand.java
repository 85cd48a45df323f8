package org.lorafoundry.engine.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code engine} command: the LoRA engine on its own, like PEFT's example scripts. */
// scope INHERIT: every subcommand gets --help and --version too.
@Command(name = "engine", mixinStandardHelpOptions = true, versionProvider = EngineCommand.Version.class,
        scope = ScopeType.INHERIT, usageHelpAutoWidth = true,
        description = {"The LoRA engine of LoRA Foundry on its own: fine-tune, evaluate, generate with, merge and "
                + "inspect Hugging Face models (gpt2, llama, qwen2) and PEFT LoRA adapters, on CPU."},
        subcommands = {TrainCommand.class, EvalCommand.class, GenerateCommand.class, MergeCommand.class,
            InspectCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 usage, 2 bad input or data, 3 unsupported model or config, 4 diverged, "
                + "5 I/O or storage, 6 out of memory, 70 internal error, 130 cancelled (Ctrl-C).",
            "Run 'engine <command> --help' for a command's options."})
final class EngineCommand implements Callable<Integer> {
    private final EngineConsole console;

    @Spec
    CommandSpec spec;

    EngineCommand(EngineConsole console) {
        this.console = console;
    }

    EngineConsole console() {
        return console;
    }

    /** {@code engine} without a command: the usage, as an error. */
    @Override
    public Integer call() {
        console.err().println("error: USAGE: a command is required: train, eval, generate, merge or inspect");
        spec.commandLine().usage(console.err());
        return ExitCode.USAGE.code();
    }

    /** The jar's Implementation-Version (the runnable jar's manifest); a development build has none. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = EngineCommand.class.getPackage().getImplementationVersion();
            return new String[] {"engine (LoRA Foundry) " + (version == null ? "development build" : version),
                "Java " + Runtime.version() + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
        }
    }
}
