package dev.actrec.cli.train;

import dev.actrec.model.ModelFile;
import dev.actrec.model.ModelInfo;
import dev.actrec.train.JsonReport;
import dev.actrec.train.ServingExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code actrec export}: writes a run folder's serving file; see {@link ServingExport} and {@link ModelFile}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write RUN_DIR/serving.bin, the weights the server's pure-Java forward pass loads, from "
                + "RUN_DIR/model.bin and config.toml.",
                "Training writes it already; this is for run folders from before, or to rewrite it.",
                "Prints JSON: path, kind, version, sha256, num_items, dim."})
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "RUN_DIR", description = "Run folder written by actrec train.")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        ModelInfo info = ServingExport.export(runDir);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", runDir.resolve(ModelFile.FILE_NAME).toAbsolutePath().toString());
        out.put("kind", info.kind());
        out.put("version", info.version());
        out.put("sha256", info.fileSha256());
        out.put("num_items", info.numItems());
        out.put("dim", info.dim());
        System.out.print(JsonReport.toJson(out));
        return 0;
    }
}
