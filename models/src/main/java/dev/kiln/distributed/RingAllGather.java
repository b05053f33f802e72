package dev.kiln.distributed;

import java.io.IOException;

/**
 * Ring all-gather of equal blocks: {@code blocks} holds one block of {@code blockBytes} per rank, each rank's own at
 * {@code rank * blockBytes}; after {@code W - 1} steps, each passing on the block received last, every rank holds
 * every block.
 */
final class RingAllGather {
    private RingAllGather() {
    }

    static void run(RingLinks links, int rank, int worldSize, byte[] blocks, int blockBytes) throws IOException {
        for (int step = 0; step < worldSize - 1; step++) {
            int send = Math.floorMod(rank - step, worldSize);
            int receive = Math.floorMod(rank - step - 1, worldSize);
            links.exchange(blocks, send * blockBytes, blockBytes, blocks, receive * blockBytes, blockBytes);
        }
    }
}
