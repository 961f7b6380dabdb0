package dev.actrec.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data DIR} option shared by every command that opens the store. */
final class DataDirOption {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "actrec-data",
            description = "Store directory (created when missing). Default: ${DEFAULT-VALUE}")
    Path dir;
}
