package dev.kiln.distributed;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * A rank's two connections in the ring: it sends to the next rank and receives from the previous one. A send runs
 * on a thread of its own while the caller receives, so that two ranks sending each other more than the sockets
 * buffer never wait on each other. Every failure is an {@link IOException} naming the peer; the caller then closes
 * the links, which makes its neighbours fail in turn instead of waiting for their timeout.
 */
final class RingLinks implements AutoCloseable {
    private final int rank;
    private final Socket next;
    private final Socket previous;
    private final String nextName;
    private final String previousName;
    private final OutputStream out;
    private final InputStream in;
    private final ExecutorService sender;

    /**
     * @param next     connected to the next rank's ring port
     * @param previous accepted from the previous rank
     * @param timeout  how long a receive waits for its bytes
     */
    RingLinks(int rank, int worldSize, Socket next, String nextAddress, Socket previous, String previousAddress,
              Duration timeout) throws IOException {
        this.rank = rank;
        this.next = next;
        this.previous = previous;
        this.nextName = "rank " + (rank + 1) % worldSize + " (" + nextAddress + ")";
        this.previousName = "rank " + (rank + worldSize - 1) % worldSize + " (" + previousAddress + ")";
        previous.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        next.setTcpNoDelay(true);
        this.out = new BufferedOutputStream(next.getOutputStream(), 1 << 16);
        this.in = new BufferedInputStream(previous.getInputStream(), 1 << 16);
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-ring-sender-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends {@code outgoing[from, from + sendLength)} to the next rank while receiving {@code receiveLength} bytes
     * from the previous one into {@code incoming[at, at + receiveLength)}.
     */
    void exchange(byte[] outgoing, int from, int sendLength, byte[] incoming, int at, int receiveLength)
            throws IOException {
        Future<?> sent;
        try {
            sent = sender.submit(() -> {
                out.write(outgoing, from, sendLength);
                out.flush();
                return null;
            });
        } catch (RejectedExecutionException e) {
            throw new IOException("rank " + rank + ": its group was closed during the collective", e);
        }
        receive(incoming, at, receiveLength);
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("rank " + rank + ": interrupted while sending to " + nextName, e);
        } catch (ExecutionException e) {
            throw new IOException("rank " + rank + ": sending to " + nextName + " failed: " + e.getCause(),
                    e.getCause());
        } catch (CancellationException e) {
            throw new IOException("rank " + rank + ": its group was closed during the collective", e);
        }
    }

    /** Sends {@code bytes[from, from + length)} to the next rank. */
    void send(byte[] bytes, int from, int length) throws IOException {
        try {
            out.write(bytes, from, length);
            out.flush();
        } catch (IOException e) {
            throw new IOException("rank " + rank + ": sending to " + nextName + " failed: " + e, e);
        }
    }

    /** Receives {@code length} bytes from the previous rank into {@code into[at, at + length)}. */
    void receive(byte[] into, int at, int length) throws IOException {
        try {
            int n = in.readNBytes(into, at, length);
            if (n < length) {
                throw new EOFException("rank " + rank + ": " + previousName + " closed the connection (" + n + " of "
                        + length + " bytes received); did it fail or exit?");
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("rank " + rank + ": timed out waiting for " + previousName
                    + "; is it still running the same collective?", e);
        } catch (EOFException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("rank " + rank + ": receiving from " + previousName + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        // A send queued but not begun would never end, and an exchange whose receive is done would wait for it.
        for (Runnable neverRun : sender.shutdownNow()) {
            if (neverRun instanceof Future<?> send) {
                send.cancel(false);
            }
        }
        closeQuietly(next);
        closeQuietly(previous);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is how a failed rank tells its neighbours; a socket that is already broken needs nothing more.
        }
    }
}
