package dev.kiln.distributed;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * PyTorch's {@code torch.distributed.init_process_group(backend="gloo", ...)}: joins this process to a world of
 * {@code worldSize} ranks over TCP and returns its {@link ProcessGroup}. Rank 0 listens at the master's address; the
 * others connect to it (retrying until the timeout, so the ranks may start in any order).
 *
 * <pre>{@code
 * try (ProcessGroup group = Distributed.initProcessGroup("tcp://10.0.0.1:29500", rank, 4, Duration.ofMinutes(30))) {
 *     DistributedDataParallel ddp = new DistributedDataParallel(model, group);
 *     ...
 * }
 * }</pre>
 */
public final class Distributed {
    /** PyTorch's default timeout of a process group. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    private Distributed() {
    }

    /**
     * {@code init_process_group(init_method=initMethod, rank=rank, world_size=worldSize, timeout=timeout)}.
     *
     * @param initMethod {@code tcp://host:port}, the master's address (rank 0 binds it); an IPv6 address in
     *                   brackets, {@code tcp://[::1]:29500}, as in PyTorch
     * @param rank       this process's rank, in [0, worldSize)
     * @param worldSize  the number of ranks, at least 1
     * @param timeout    how long to wait for the world to join, and for a peer within a collective
     * @throws IllegalArgumentException for a rank out of range or an address not of that form
     * @throws IllegalStateException    when the world does not join in time (naming the address, the ranks that
     *                                  joined and the world size) or a rank joins twice
     */
    public static ProcessGroup initProcessGroup(String initMethod, int rank, int worldSize, Duration timeout) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("Distributed.initProcessGroup: world size must be at least 1, got "
                    + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("Distributed.initProcessGroup: rank " + rank + " is outside [0, "
                    + worldSize + ") for world size " + worldSize);
        }
        URI uri = tcpAddress(initMethod);
        if (worldSize == 1) {
            return new ProcessGroup(0, 1, null);
        }
        try {
            return new ProcessGroup(rank, worldSize,
                    TcpRendezvous.join(uri.getHost(), uri.getPort(), rank, worldSize, timeout));
        } catch (IOException e) {
            throw new IllegalStateException("Distributed.initProcessGroup: rank " + rank + " of world size "
                    + worldSize + " at " + initMethod + ": " + e, e);
        }
    }

    /**
     * {@code init_process_group(init_method="env://")} as torchrun starts a process: reads MASTER_ADDR, MASTER_PORT,
     * RANK and WORLD_SIZE from {@code env} (pass {@code System.getenv()}). MASTER_ADDR may be an IPv6 address, with or
     * without brackets ({@code ::1} as torchrun writes it, or {@code [::1]}).
     *
     * @throws IllegalArgumentException naming a variable that is missing or not a number
     */
    public static ProcessGroup initProcessGroup(Map<String, String> env, Duration timeout) {
        String address = variable(env, "MASTER_ADDR");
        int port = number(env, "MASTER_PORT");
        return initProcessGroup("tcp://" + TcpRendezvous.hostPort(address, port), number(env, "RANK"),
                number(env, "WORLD_SIZE"), timeout);
    }

    /** {@link #initProcessGroup(Map, Duration)} from this process's environment, with the default timeout. */
    public static ProcessGroup initProcessGroupFromEnv() {
        return initProcessGroup(System.getenv(), DEFAULT_TIMEOUT);
    }

    private static URI tcpAddress(String initMethod) {
        URI uri;
        try {
            uri = URI.create(initMethod);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("Distributed.initProcessGroup: init method '" + initMethod
                    + "'; expected tcp://host:port" + ipv6Hint(initMethod));
        }
        return uri;
    }

    /** For {@code tcp://::1:29500}, which no URL parser reads (PyTorch's neither): the form that works. */
    private static String ipv6Hint(String initMethod) {
        String prefix = "tcp://";
        if (!initMethod.startsWith(prefix)) {
            return "";
        }
        String authority = initMethod.substring(prefix.length());
        int colon = authority.lastIndexOf(':');
        if (authority.startsWith("[") || colon <= 0 || authority.indexOf(':') == colon) {
            return "";
        }
        return ", an IPv6 address in brackets: " + prefix + "[" + authority.substring(0, colon) + "]"
                + authority.substring(colon);
    }

    private static String variable(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("Distributed.initProcessGroup: environment variable " + name
                    + " is not set; the env form reads MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE (as torchrun"
                    + " sets them)");
        }
        return v.trim();
    }

    private static int number(Map<String, String> env, String name) {
        String v = variable(env, name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Distributed.initProcessGroup: environment variable " + name + "='"
                    + v + "' is not a whole number");
        }
    }
}
