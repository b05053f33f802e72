package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The call names passed lazily, on every launch and step, are only put together when the call failed. */
class StatusTest {
    private static final Supplier<String> NEVER = () -> {
        throw new AssertionError("a call that succeeded was named");
    };

    @Test
    void aRuntimeCallThatSucceededIsNotNamed() {
        assertDoesNotThrow(() -> Status.runtime(0, NEVER));
    }

    @Test
    void aDriverCallThatSucceededIsNotNamed() {
        assertDoesNotThrow(() -> Status.driver(0, NEVER));
    }

    @Test
    void aCudnnCallThatSucceededIsNotNamed() {
        assertDoesNotThrow(() -> Status.cudnn(0, NEVER));
    }
}
