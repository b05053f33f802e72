package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * IPv6 masters as torchrun writes them: {@code tcp://[::1]:29500} (a URL's brackets), and MASTER_ADDR {@code ::1}
 * (or {@code [::1]}) for the env form; {@code tcp://::1:29500}, which PyTorch cannot parse either, is refused with
 * the bracketed form.
 */
class Ipv6RendezvousTest {
    /** A free port on ::1, or a skip where this machine has no IPv6 loopback. */
    private static int freeIpv6LoopbackPort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("::1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback (::1) on this machine: " + e);
            return -1;
        }
    }

    @Test
    void aWorldMeetsAtTheIpv6LoopbackInEveryFormTorchrunWrites() {
        int port = freeIpv6LoopbackPort();
        List<Double> sums = LocalRanks.join(3, (rank, unused) -> {
            Duration timeout = Duration.ofSeconds(20);
            String p = Integer.toString(port);
            try (ProcessGroup group = switch (rank) {
                case 0 -> Distributed.initProcessGroup("tcp://[::1]:" + p, 0, 3, timeout);
                case 1 -> Distributed.initProcessGroup(Map.of("MASTER_ADDR", "::1", "MASTER_PORT", p, "RANK", "1",
                        "WORLD_SIZE", "3"), timeout);
                default -> Distributed.initProcessGroup(Map.of("MASTER_ADDR", "[::1]", "MASTER_PORT", p, "RANK",
                        "2", "WORLD_SIZE", "3"), timeout);
            }; Tensor t = Tensor.fromArray(new double[] {rank + 1}, 1)) {
                group.allReduce(t, ReduceOp.SUM);
                return t.item();
            }
        });
        assertEquals(List.of(6.0, 6.0, 6.0), sums);
    }

    @Test
    void anUnbracketedIpv6InitMethodIsRefusedWithTheBracketedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Distributed.initProcessGroup("tcp://::1:29500", 0, 2, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("tcp://[::1]:29500"), e.getMessage());
    }
}
