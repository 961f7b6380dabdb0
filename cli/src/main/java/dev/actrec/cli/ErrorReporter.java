package dev.actrec.cli;

import dev.actrec.core.InputFormatException;
import dev.actrec.store.CorruptStoreException;
import java.io.IOException;
import picocli.CommandLine;

/**
 * Maps failures to one line on stderr and an exit code, in one place: 1 for bad input, bad data and I/O errors
 * (the message names file, line, field and value), 70 for bugs (with the stack trace).
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int BUG = 70;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof InputFormatException || e instanceof IllegalArgumentException
                || e instanceof CorruptStoreException || e instanceof IOException) {
            cmd.getErr().println("actrec " + cmd.getCommandName() + ": " + e.getMessage());
            return FAILED;
        }
        cmd.getErr().println("actrec " + cmd.getCommandName() + ": internal error (please report): " + e);
        e.printStackTrace(cmd.getErr());
        return BUG;
    }
}
