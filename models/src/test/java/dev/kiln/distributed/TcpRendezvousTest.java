package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TcpRendezvous} against a hand-driven peer: what a rank leaves open when the ring fails to close. */
class TcpRendezvousTest {
    /** TcpRendezvous' greeting: "Kiln". */
    private static final int MAGIC = 0x4B696C6E;

    /**
     * Rank 1 of two joins at the master and takes rank 0's ring connection, but never connects to rank 0's ring
     * socket: rank 0's join times out, and must close the connection it opened to rank 1 (a peer reading from it
     * then sees its end) rather than leave the socket to a garbage collection.
     */
    @Test
    void aRankWhosePreviousNeverConnectsClosesItsLinkToTheNext() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            if (rank == 0) {
                return Distributed.initProcessGroup(init, 0, 2, LocalRanks.shortTimeout());
            }
            return halfJoined(Integer.parseInt(init.substring(init.lastIndexOf(':') + 1)));
        });
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcomes.get(0));
        assertTrue(e.getMessage().contains("rank 1 to connect"), e.getMessage());
        assertEquals("end of stream", outcomes.get(1), "what rank 1 read from rank 0's link once rank 0 failed");
    }

    /** Rank 1's half of the rendezvous: joins, accepts rank 0's link, then reads from it until it ends. */
    private static String halfJoined(int masterPort) throws Exception {
        try (ServerSocket ring = new ServerSocket(0)) {
            Socket master = connect(masterPort);
            try (master) {
                DataOutputStream out = new DataOutputStream(master.getOutputStream());
                out.writeInt(MAGIC);
                out.writeInt(1);
                out.writeInt(2);
                out.writeInt(ring.getLocalPort());
                out.flush();
                DataInputStream in = new DataInputStream(master.getInputStream());
                assertTrue(in.readBoolean(), "rank 0 sent the world");
                in.readUTF();
                in.readUTF();
            }
            try (Socket fromRankZero = ring.accept()) {
                DataInputStream in = new DataInputStream(fromRankZero.getInputStream());
                assertEquals(0, in.readInt(), "rank 0 says its rank");
                // Longer than rank 0's own timeout: a leaked socket leaves this read waiting past it.
                fromRankZero.setSoTimeout(8000);
                return in.read() < 0 ? "end of stream" : "a byte";
            }
        }
    }

    /** Connects to the master, retrying while rank 0 has not bound it yet. */
    private static Socket connect(int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return new Socket("127.0.0.1", port);
            } catch (ConnectException e) {
                if (attempt > 100) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
