package dev.kiln.cli;

import dev.kiln.data.DataDirectory;
import dev.kiln.engine.Engine;
import dev.kiln.g2p.G2pModels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@code kiln} command line. Every subcommand takes {@code --help}; {@code train}, {@code finetune},
 * {@code pretrain}, {@code eval} and {@code bench} end with one JSON line of final figures for scripts.
 */
public final class Kiln {
    private static final String USAGE = """
            Usage: kiln <command> [options]        (kiln <command> --help for its options)

            Commands:
              train MODEL     train a zoo model (mlp, resnet18, lenet, resnet, resnet14, lstm, gru, rnn,
                              transformer) on MNIST, Fashion-MNIST or your own images (a folder per class) or
                              CSV rows, or g2p (spelling to phonemes on CMUdict); writes a run directory
              finetune        transfer learning: a trained model's first layers (or an encoder) with a new head
              pretrain MODEL  train an autoencoder (ae, tied, denoising, sparse, vae, conv) without labels
              gan             train a DCGAN that draws MNIST or Fashion-MNIST images (--resume continues a
                              run); --sample draws from one
              eval            evaluate a checkpoint on a test set
              predict         classify one image with a checkpoint
              export          a checkpoint's weights as a PyTorch state dict (safetensors), or as ONNX
              bench NAME      run a benchmark (docs/BENCHMARKS.md): training speed of a model (mlp, lenet,
                              lstm, gru, rnn, transformer, resnet, resnet18), matrix products (sgemm),
                              lenet's convolutions (conv), element-wise functions (unary) or the
                              engine's cost per step (dispatch)
              lm              train a character-level LSTM language model on the words of CMUdict
              sample          draw new words from a kiln lm checkpoint
              g2p WORD...     phonemes of words from a kiln train g2p checkpoint; --plot WORD draws
                              its attention
              stress          guess a CMUdict word's stressed syllable from its spelling (LSTM, one or two
                              directions)
              demo            train a network written with raw tensor ops (plain SGD) on MNIST
              methods         compare backpropagation, feedback alignment, direct feedback alignment and
                              synthetic gradients on one MLP
              word2vec        train word vectors (skip-gram or CBOW, negative sampling) on a text corpus
              neighbours      nearest words of given words, from kiln word2vec's vectors
              backends        list the backends on the class path and whether they can run here

            Each training run (train, finetune, pretrain, gan, lm, methods, word2vec) writes a folder of its
            own: runs/MODEL-DATA, then runs/MODEL-DATA-2, ...; Ctrl-C stops kiln train or gan and prints the
            command that resumes it.
            Backend: KILN_BACKEND=cpu|cuda; threads: KILN_JAVA_OPTS=-Dkiln.threads=N (KILN_JAVA_OPTS passes
            any JVM option, such as -Dkiln.backend=cpu|cuda).
            """;

    /** A subcommand: its help text and its body. */
    private record Command(String help, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        int run(String[] args, PrintStream out) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = Map.ofEntries(
            Map.entry("train", new Command(TrainCommand.HELP, TrainCommand::run)),
            Map.entry("finetune", new Command(FinetuneCommand.HELP, FinetuneCommand::run)),
            Map.entry("pretrain", new Command(PretrainCommand.HELP, PretrainCommand::run)),
            Map.entry("gan", new Command(GanCommand.HELP, GanCommand::run)),
            Map.entry("eval", new Command(EvalCommand.HELP, EvalCommand::run)),
            Map.entry("predict", new Command(PredictCommand.HELP, PredictCommand::run)),
            Map.entry("export", new Command(ExportCommand.HELP, ExportCommand::run)),
            Map.entry("bench", new Command(BenchCommand.HELP, BenchCommand::run)),
            Map.entry("demo", new Command(DemoCommand.HELP, DemoCommand::run)),
            Map.entry("methods", new Command(MethodsCommand.HELP, MethodsCommand::run)),
            Map.entry("word2vec", new Command(Word2VecCommand.HELP, Word2VecCommand::run)),
            Map.entry("neighbours", new Command(NeighboursCommand.HELP, NeighboursCommand::run)),
            Map.entry("lm", new Command(LmCommand.HELP, LmCommand::run)),
            Map.entry("sample", new Command(SampleCommand.HELP, SampleCommand::run)),
            Map.entry("stress", new Command(StressCommand.HELP, StressCommand::run)),
            Map.entry("g2p", new Command(G2pCommand.HELP, G2pCommand::run)),
            Map.entry("backends", new Command("Usage: kiln backends\n", (args, out) -> {
                Engine.describeProviders().forEach(out::println);
                return 0;
            })));

    private Kiln() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            err.println("kiln: unknown command '" + args[0] + "'\n");
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            boolean g2p = args[0].equals("train") && rest.length > 0 && rest[0].equals(G2pModels.MODEL);
            out.print(g2p ? G2pTrainCommand.HELP : command.help());
            return 0;
        }
        try {
            return command.body().run(rest, out);
        } catch (IllegalArgumentException | DataDirectory.DataMissingException e) {
            err.println("kiln " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("kiln " + args[0] + ": " + describe(e));
            return 1;
        } catch (Exception e) {
            if (ProcessEnd.inProgress()) {
                // Ctrl-C or SIGTERM: the work under way was cut short (a checkpoint write refused, a peer rank gone);
                // what the run kept is said by its own hook (kiln train's resume line), not by a stack trace.
                err.println("kiln " + args[0] + ": stopped: " + e.getMessage());
                return 1;
            }
            err.println("kiln " + args[0] + ": failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /**
     * What went wrong, in words: the file system's exceptions for a missing or clashing file carry only the path,
     * which printed alone reads as if the path were the error.
     */
    private static String describe(IOException e) {
        if (!(e instanceof FileSystemException x) || x.getFile() == null || x.getReason() != null) {
            return e.getMessage();
        }
        String file = x.getOtherFile() == null ? x.getFile() : x.getFile() + " -> " + x.getOtherFile();
        if (x instanceof NoSuchFileException) {
            return "no such file: " + file;
        }
        if (x instanceof FileAlreadyExistsException) {
            return file + (Files.isDirectory(Path.of(x.getFile())) ? " already exists" : " exists and is not a directory");
        }
        if (x instanceof NotDirectoryException) {
            return file + " is not a directory";
        }
        if (x instanceof DirectoryNotEmptyException) {
            return file + " is a directory that is not empty";
        }
        if (x instanceof AccessDeniedException) {
            return "permission denied: " + file;
        }
        return e.getMessage();
    }
}
