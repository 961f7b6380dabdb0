package dev.actrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code actrec} command: one entry point with a subcommand per job. */
@Command(name = "actrec", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "ACT: recommendation over users' lifelong action sequences.",
        subcommands = {IngestCommand.class, HistoryCommand.class, StatsCommand.class, VerifyCommand.class, GenCommand.class,
                QuickstartCommand.class, dev.actrec.cli.train.TrainCommand.class, dev.actrec.cli.train.EvalCommand.class,
                dev.actrec.cli.train.ExportCommand.class,
                ServeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorReporter());
    }
}
