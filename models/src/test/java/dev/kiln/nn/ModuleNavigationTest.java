package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's ways of reaching into a module tree: {@link Module#modules()}, {@link Module#children()},
 * {@link Module#apply}, {@link Module#getSubmodule}, {@link Module#getParameter} and {@link Module#getBuffer}.
 */
class ModuleNavigationTest {
    @BeforeEach
    void seed() {
        Engine.seed(7);
    }

    /** Sequential(Sequential(Linear(2, 3), ReLU), BatchNorm1d(3)): modules "", "0", "0.0", "0.1", "1". */
    private static Sequential nested() {
        return new Sequential(new Sequential(new Linear(2, 3), new ReLU()), new BatchNorm1d(3));
    }

    @Test
    void applyVisitsEachChildsSubtreeBeforeTheModuleItself() {
        try (Sequential m = nested()) {
            List<Module> visited = new ArrayList<>();
            assertSame(m, m.apply(visited::add));
            Module inner = m.get(0);
            // PyTorch: Linear, ReLU, the inner Sequential, BatchNorm1d, the outer Sequential.
            assertEquals(List.of(m.getSubmodule("0.0"), m.getSubmodule("0.1"), inner, m.get(1), m), visited);
        }
    }

    @Test
    void applyVisitsAModuleRegisteredTwiceInOneParentOnce() {
        Linear shared = new Linear(2, 2);
        try (Sequential m = new Sequential(shared, shared)) {
            List<Module> visited = new ArrayList<>();
            m.apply(visited::add);
            assertEquals(List.of(shared, m), visited);
            assertEquals(List.of(shared), m.children());
        }
    }

    @Test
    void modulesListsTheModuleAndEverySubModuleDepthFirst() {
        try (Sequential m = nested()) {
            assertEquals(List.copyOf(m.namedModules().values()), m.modules());
            assertEquals(5, m.modules().size());
            assertEquals(List.of(m.get(0), m.get(1)), m.children());
        }
    }

    @Test
    void getSubmoduleFollowsADottedPathAndTheEmptyPathIsTheModule() {
        try (Sequential m = nested()) {
            assertSame(((Sequential) m.get(0)).get(0), m.getSubmodule("0.0"));
            assertSame(m, m.getSubmodule(""));
        }
    }

    @Test
    void getSubmoduleNamesTheModuleReachedAndTheMissingElement() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getSubmodule("0.5.weight"));
            assertEquals("getSubmodule(\"0.5.weight\"): Sequential '0' has no sub-module '5'; its sub-modules are [0, 1]",
                    e.getMessage());
        }
    }

    @Test
    void getSubmoduleRefusesAPathThroughAParameter() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getSubmodule("0.0.weight"));
            assertEquals("getSubmodule(\"0.0.weight\"): Linear '0.0' has 'weight' as a parameter, not a sub-module;"
                    + " its sub-modules are []", e.getMessage());
        }
    }

    @Test
    void getParameterReturnsTheLiveTensorAtADottedPath() {
        try (Sequential m = nested()) {
            assertSame(m.namedParameters().get("0.0.weight"), m.getParameter("0.0.weight"));
            assertSame(m.namedParameters().get("1.bias"), m.getParameter("1.bias"));
        }
    }

    @Test
    void getParameterNamesTheModuleAndItsParametersWhenTheNameIsMissing() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getParameter("0.0.wieght"));
            assertEquals("getParameter(\"0.0.wieght\"): Linear '0.0' has no parameter 'wieght'; its parameters are"
                    + " [weight, bias]", e.getMessage());
        }
    }

    @Test
    void getParameterRefusesABuffer() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.getParameter("1.running_mean"));
            assertTrue(e.getMessage().contains("BatchNorm1d '1' has 'running_mean' as a buffer, not a parameter"),
                    e.getMessage());
        }
    }

    @Test
    void getParameterNamesAMissingModuleOnTheWay() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getParameter("2.weight"));
            assertEquals("getParameter(\"2.weight\"): Sequential has no sub-module '2'; its sub-modules are [0, 1]",
                    e.getMessage());
        }
    }

    @Test
    void getBufferReturnsTheLiveTensorAtADottedPath() {
        try (Sequential m = nested()) {
            assertSame(m.namedBuffers().get("1.running_mean"), m.getBuffer("1.running_mean"));
            assertSame(m.namedBuffers().get("1.num_batches_tracked"), m.getBuffer("1.num_batches_tracked"));
        }
    }

    @Test
    void getBufferNamesTheModuleAndItsBuffersWhenTheNameIsMissing() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getBuffer("1.running_men"));
            assertEquals("getBuffer(\"1.running_men\"): BatchNorm1d '1' has no buffer 'running_men'; its buffers are"
                    + " [running_mean, running_var, num_batches_tracked]", e.getMessage());
        }
    }

    @Test
    void getBufferRefusesAParameter() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getBuffer("1.weight"));
            assertTrue(e.getMessage().contains("BatchNorm1d '1' has 'weight' as a parameter, not a buffer"),
                    e.getMessage());
        }
    }

    @Test
    void getBufferNamesAMissingModuleOnTheWay() {
        try (Sequential m = nested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.getBuffer("0.2.running_mean"));
            assertEquals("getBuffer(\"0.2.running_mean\"): Sequential '0' has no sub-module '2'; its sub-modules are"
                    + " [0, 1]", e.getMessage());
        }
    }
}
