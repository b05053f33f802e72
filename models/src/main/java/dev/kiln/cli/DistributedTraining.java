package dev.kiln.cli;

import dev.kiln.data.Augmentation;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.DistributedDataParallel;
import dev.kiln.distributed.DistributedSampler;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.train.Trainer;
import java.io.PrintStream;

/**
 * One rank of {@code kiln train --world-size W --rank R --master HOST:PORT}: joins the process group, sends rank 0's
 * weights to every rank and averages the gradients ({@link DistributedDataParallel}), and gives each rank its share
 * of every epoch ({@link DistributedSampler}, shuffled by the run's seed). Without those options it is a run of one
 * process and changes nothing.
 *
 * <p>Early stopping and the best epoch are judged on rank 0's validation loss, sent to every rank after each
 * epoch, so that all stop together; on {@code --resume} every rank reads the same checkpoint, which rank 0 wrote.
 *
 * <p>The trainer trains the wrapper, whose forward checks that every parameter got a gradient in the last step and
 * sends rank 0's buffers as a library loop's does; the {@link Trainer} evaluates and checkpoints the wrapped model,
 * so the checkpoints keep the model's own keys, which {@code kiln eval} and the other commands read (as a PyTorch
 * script saves {@code ddp.module.state_dict()}). Rank 0 alone prints and writes the run.
 */
final class DistributedTraining implements AutoCloseable {
    static final String HELP = """
              --nproc N                    train as N processes on this machine (torchrun --nproc_per_node): N
                                           JVMs, each with -Dkiln.threads = cores / N, --batch images a step and
                                           its share of every epoch, the gradients averaged across them; rank 0
                                           alone prints and writes the run, the others' errors come prefixed
                                           [rank R], and a rank's failure stops all with its exit code. Ranks
                                           are stopped as torchrun stops them (on a failure, Ctrl-C or
                                           SIGTERM): SIGTERM, then SIGKILL for any still running 10 s later
              --world-size W --rank R --master HOST:PORT
                                           this process is rank R of W that meet at HOST:PORT (rank 0 listens
                                           there), on this machine or others; all three or none (not with
                                           --nproc, --find-lr, --balance-classes, --cuda-graphs on,
                                           --profile-trace). With --resume every rank reads the checkpoint
                                           (rank 0 writes them); with --patience rank 0's validation loss
                                           decides, and every rank stops at the same epoch
            """;

    private final int worldSize;
    private final int rank;
    private final String master;
    private ProcessGroup group;
    private DistributedDataParallel ddp;

    private DistributedTraining(int worldSize, int rank, String master) {
        this.worldSize = worldSize;
        this.rank = rank;
        this.master = master;
    }

    /** Reads {@code --world-size}, {@code --rank} and {@code --master}: all three, or none for one process. */
    static DistributedTraining fromOptions(Options o) {
        boolean any = o.has("world-size") || o.has("rank") || o.has("master");
        if (!any) {
            return new DistributedTraining(1, 0, null);
        }
        if (!(o.has("world-size") && o.has("rank") && o.has("master"))) {
            throw new IllegalArgumentException("--world-size, --rank and --master go together: give all three (or"
                    + " --nproc N to start the ranks on this machine)");
        }
        int worldSize = o.getPositiveInt("world-size", 1);
        int rank = o.getInt("rank", 0);
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("--rank " + rank + " is outside [0, " + worldSize + ") for --world-size "
                    + worldSize);
        }
        return new DistributedTraining(worldSize, rank, o.get("master", null));
    }

    boolean distributed() {
        return master != null;
    }

    boolean rankZero() {
        return rank == 0;
    }

    int worldSize() {
        return worldSize;
    }

    /** Refuses {@code option} (given) in a run of several ranks, saying why. */
    void refuse(boolean given, String option, String why) {
        if (distributed() && given) {
            throw new IllegalArgumentException(option + " does not work with --world-size/--nproc: " + why);
        }
    }

    /**
     * Joins the world and wraps {@code model}: every rank leaves with rank 0's weights; rank 0 says so. Returns the
     * module to train: the wrapper, whose forward runs its checks as a library loop's does (or {@code model} itself in
     * a run of one process).
     */
    Module start(Module model, int trainImages, PrintStream out) {
        if (!distributed()) {
            return model;
        }
        group = Distributed.initProcessGroup("tcp://" + master, rank, worldSize, Distributed.DEFAULT_TIMEOUT);
        ddp = new DistributedDataParallel(model, group);
        if (rankZero()) {
            out.printf("Distributed: rank %d of %d, master %s, %d training images a rank, %d gradient bucket(s)%n",
                    rank, worldSize, master, new DistributedSampler(trainImages, group).size(), ddp.bucketCount());
        }
        return ddp;
    }

    /**
     * Has {@code trainer} judge each epoch (early stopping, the best epoch) by rank 0's monitored loss, sent to every
     * rank, so that the ranks, which validate on rank 0 alone, stop together.
     */
    void judgeEpochsOnRankZero(Trainer trainer) {
        if (distributed()) {
            trainer.monitoredLossAgreement(this::rankZeros);
        }
    }

    /** Rank 0's {@code value}, on every rank. */
    private double rankZeros(double value) {
        try (Tensor t = Tensor.fromArray(new double[] {value}, 1)) {
            group.broadcast(t, 0);
            return t.toDoubleArray()[0];
        }
    }

    /** This rank's training loader: its share of each epoch's permutation (the same on every rank). */
    DataLoader trainLoader(Dataset train, int batch, long seed, Augmentation augmentation, boolean dropLast,
                           int workers) {
        DistributedSampler sampler = new DistributedSampler(train.size(), worldSize, rank, true, seed, false);
        return new DataLoader(train, batch, false, seed, augmentation).withSampler(sampler).withDropLast(dropLast)
                .withWorkers(workers);
    }

    /**
     * Closes the wrapper (its gradient hooks leave the model's parameters, and the model is closed with it, as its
     * owner closes it too: closing a module twice is harmless), then leaves the world, whose threads end.
     */
    @Override
    public void close() {
        try (ProcessGroup leaving = group) {
            if (ddp != null) {
                ddp.close();
            }
        }
    }
}
