package dev.kiln.distributed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How the ranks find each other (PyTorch's {@code init_method="tcp://host:port"}): rank 0 listens at the master's
 * address, every other rank connects to it and says its rank, the world size it expects and the port of its own
 * ring socket; once all have joined, rank 0 sends every rank the world's ring addresses (or one error, which every
 * joined rank then throws), and each rank connects to the next one in the ring and accepts the previous one.
 */
final class TcpRendezvous {
    private static final int MAGIC = 0x4B696C6E;
    private static final int RETRY_MS = 50;

    private final String host;
    private final int port;
    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final long deadline;

    private TcpRendezvous(String host, int port, int rank, int worldSize, Duration timeout) {
        this.host = host;
        this.port = port;
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeout = timeout;
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** The ring links of rank {@code rank} of {@code worldSize} (at least 2) meeting at {@code host:port}. */
    static RingLinks join(String host, int port, int rank, int worldSize, Duration timeout) throws IOException {
        return new TcpRendezvous(host, port, rank, worldSize, timeout).join();
    }

    private String master() {
        return "tcp://" + hostPort(host, port);
    }

    /**
     * "host:port", an IPv6 host in brackets ("[::1]:29500", also where it came without, as torchrun's MASTER_ADDR
     * does), which {@link #connect} and a URL read back.
     */
    static String hostPort(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private RingLinks join() throws IOException {
        try (ServerSocket ring = new ServerSocket(0)) {
            List<String> addresses = rank == 0 ? gather(ring.getLocalPort()) : report(ring.getLocalPort());
            int nextRank = (rank + 1) % worldSize;
            int previousRank = (rank + worldSize - 1) % worldSize;
            Socket next = connect(addresses.get(nextRank), "rank " + nextRank + "'s ring socket");
            Socket previous = null;
            try {
                new DataOutputStream(next.getOutputStream()).writeInt(rank);
                previous = acceptPrevious(ring, previousRank);
                return new RingLinks(rank, worldSize, next, addresses.get(nextRank), previous,
                        addresses.get(previousRank), timeout);
            } catch (IOException | RuntimeException e) {
                // Closed here, the next rank's receive ends at once instead of waiting out its timeout.
                closeQuietly(next, e);
                closeQuietly(previous, e);
                throw e;
            }
        }
    }

    private static void closeQuietly(Socket s, Exception cause) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** Rank 0: waits for every other rank at the master's address and sends them the ring addresses. */
    private List<String> gather(int ringPort) throws IOException {
        String[] addresses = new String[worldSize];
        addresses[0] = hostPort(host, ringPort);
        List<Socket> joined = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(host, port));
            while (joined.size() < worldSize - 1) {
                Socket s = acceptBeforeDeadline(server);
                if (s == null) {
                    fail(joined, missing(addresses));
                }
                joined.add(s);
                String problem = admit(s, addresses);
                if (problem != null) {
                    fail(joined, problem);
                }
            }
            for (Socket s : joined) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeBoolean(true);
                for (String a : addresses) {
                    out.writeUTF(a);
                }
                out.flush();
            }
            return List.of(addresses);
        } finally {
            for (Socket s : joined) {
                s.close();
            }
        }
    }

    /** The next joining rank's connection, or null when the deadline passed first. */
    private Socket acceptBeforeDeadline(ServerSocket server) throws IOException {
        try {
            server.setSoTimeout(remainingMillis());
            return server.accept();
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private String missing(String[] addresses) {
        TreeSet<Integer> in = new TreeSet<>();
        TreeSet<Integer> absent = new TreeSet<>();
        for (int r = 0; r < worldSize; r++) {
            (addresses[r] != null ? in : absent).add(r);
        }
        return "rank 0 waited " + seconds(timeout) + " at " + master() + " for world size " + worldSize + "; ranks "
                + in + " joined, " + absent + " never did";
    }

    /** Reads a joining rank's message; its ring address, or what is wrong with it. */
    private String admit(Socket s, String[] addresses) throws IOException {
        s.setSoTimeout(remainingMillis());
        DataInputStream in = new DataInputStream(s.getInputStream());
        if (in.readInt() != MAGIC) {
            return "a connection to " + master() + " from " + s.getRemoteSocketAddress() + " is no Kiln rank";
        }
        int r = in.readInt();
        int size = in.readInt();
        int ringPort = in.readInt();
        if (size != worldSize) {
            return "rank " + r + " expects world size " + size + " but rank 0 expects " + worldSize;
        }
        if (r <= 0 || r >= worldSize || addresses[r] != null) {
            return "rank " + r + " joined " + master() + " twice or out of [1, " + worldSize + ")";
        }
        addresses[r] = hostPort(s.getInetAddress().getHostAddress(), ringPort);
        return null;
    }

    /** Tells every joined rank what went wrong, then throws it here. */
    private void fail(List<Socket> joined, String problem) {
        for (Socket s : joined) {
            try {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeBoolean(false);
                out.writeUTF(problem);
                out.flush();
            } catch (IOException ignored) {
                // That rank is gone already; the others still hear of the failure.
            }
        }
        throw new IllegalStateException("Distributed.initProcessGroup: " + problem);
    }

    /** Any rank but 0: joins at the master and reads the ring addresses back. */
    private List<String> report(int ringPort) throws IOException {
        try (Socket s = connect(hostPort(host, port), "the master")) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(MAGIC);
            out.writeInt(rank);
            out.writeInt(worldSize);
            out.writeInt(ringPort);
            out.flush();
            // Rank 0 answers by its own deadline, which may come later than this rank's: wait a little longer.
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + 2000));
            DataInputStream in = new DataInputStream(s.getInputStream());
            try {
                if (!in.readBoolean()) {
                    throw new IllegalStateException("Distributed.initProcessGroup: " + in.readUTF());
                }
            } catch (SocketTimeoutException e) {
                throw new IllegalStateException("Distributed.initProcessGroup: rank " + rank + " joined " + master()
                        + " (world size " + worldSize + ") but rank 0 sent no world within " + seconds(timeout));
            }
            List<String> addresses = new ArrayList<>();
            for (int r = 0; r < worldSize; r++) {
                addresses.add(in.readUTF());
            }
            return addresses;
        }
    }

    /** Connects to {@code address} ("host:port"), retrying while nothing listens there yet, until the deadline. */
    private Socket connect(String address, String what) throws IOException {
        int colon = address.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)));
        while (true) {
            Socket s = new Socket();
            try {
                s.connect(target, remainingMillis());
                return s;
            } catch (ConnectException | SocketTimeoutException e) {
                s.close();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Distributed.initProcessGroup: rank " + rank + " could not reach "
                            + what + " at tcp://" + address + " within " + seconds(timeout) + " (world size "
                            + worldSize + ", master " + master() + ")", e);
                }
                sleep();
            }
        }
    }

    private Socket acceptPrevious(ServerSocket ring, int previousRank) throws IOException {
        try {
            ring.setSoTimeout(remainingMillis());
            Socket s = ring.accept();
            s.setSoTimeout(remainingMillis());
            int r = new DataInputStream(s.getInputStream()).readInt();
            if (r != previousRank) {
                s.close();
                throw new IllegalStateException("Distributed.initProcessGroup: rank " + rank + " expected rank "
                        + previousRank + " on its ring socket, got rank " + r);
            }
            return s;
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("Distributed.initProcessGroup: rank " + rank + " waited " + seconds(timeout)
                    + " for rank " + previousRank + " to connect (world size " + worldSize + ", master " + master()
                    + ")", e);
        }
    }

    private int remainingMillis() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Distributed.initProcessGroup: interrupted while connecting", e);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }
}
