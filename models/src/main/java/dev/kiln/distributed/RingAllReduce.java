package dev.kiln.distributed;

import java.io.IOException;

/**
 * Ring all-reduce: the buffer is cut into one chunk per rank; in a reduce-scatter each chunk travels once around the
 * ring, every rank combining its own values into it, until one rank holds it reduced; an all-gather then passes the
 * reduced chunks around unchanged. Each rank sends and receives about twice the buffer whatever the world size, and
 * every rank ends with the bits of the one rank that reduced each chunk: the same bits everywhere. Chunk {@code c}
 * holds elements {@code [c * n / W, (c + 1) * n / W)}, so a buffer smaller than the world, or empty, works too.
 */
final class RingAllReduce {
    private RingAllReduce() {
    }

    /** Reduces {@code buffer} in place across the ring; AVG divides each reduced chunk once, before it spreads. */
    static void run(RingLinks links, int rank, int worldSize, HostBuffer buffer, ReduceOp op) throws IOException {
        int n = buffer.length();
        int bytes = buffer.dtype().bytes();
        byte[] data = buffer.array();
        byte[] scratch = new byte[(n / worldSize + 1) * bytes];
        for (int step = 0; step < worldSize - 1; step++) {
            int send = Math.floorMod(rank - step, worldSize);
            int receive = Math.floorMod(rank - step - 1, worldSize);
            links.exchange(data, start(send, n, worldSize) * bytes, length(send, n, worldSize) * bytes,
                    scratch, 0, length(receive, n, worldSize) * bytes);
            buffer.combine(start(receive, n, worldSize), length(receive, n, worldSize), scratch, op);
        }
        int owned = (rank + 1) % worldSize;
        if (op == ReduceOp.AVG) {
            buffer.divide(start(owned, n, worldSize), length(owned, n, worldSize), worldSize);
        }
        for (int step = 0; step < worldSize - 1; step++) {
            int send = Math.floorMod(rank + 1 - step, worldSize);
            int receive = Math.floorMod(rank - step, worldSize);
            links.exchange(data, start(send, n, worldSize) * bytes, length(send, n, worldSize) * bytes,
                    data, start(receive, n, worldSize) * bytes, length(receive, n, worldSize) * bytes);
        }
    }

    private static int start(int chunk, int n, int worldSize) {
        return (int) ((long) chunk * n / worldSize);
    }

    private static int length(int chunk, int n, int worldSize) {
        return start(chunk + 1, n, worldSize) - start(chunk, n, worldSize);
    }
}
