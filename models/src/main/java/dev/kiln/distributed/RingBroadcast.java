package dev.kiln.distributed;

import java.io.IOException;

/**
 * Broadcast along the ring: the source sends its bytes to the next rank, and each rank passes them on until the rank
 * before the source has them.
 */
final class RingBroadcast {
    private RingBroadcast() {
    }

    static void run(RingLinks links, int rank, int worldSize, int source, byte[] bytes) throws IOException {
        if (rank != source) {
            links.receive(bytes, 0, bytes.length);
        }
        if ((rank + 1) % worldSize != source) {
            links.send(bytes, 0, bytes.length);
        }
    }
}
