package dev.kiln.engine.cpu;

import java.lang.reflect.InvocationTargetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the F32 element-wise routines, the FFT, layer norm's and softmax's rows run on the JDK's Vector API: where
 * the incubator module {@value #MODULE} is in the boot layer (java started with
 * {@code --add-modules jdk.incubator.vector}, as the {@code kiln} launcher does) and
 * {@code -D}{@value #PROPERTY}{@code =false} is not set. The classes that name the module are loaded by name, and
 * only then, so that the backend runs without it on the scalar loops. Decided and logged once, at INFO.
 */
final class VectorPath {
    /** The system property that turns the Vector API path off ({@code false}). */
    static final String PROPERTY = "kiln.cpu.vector";
    static final String MODULE = "jdk.incubator.vector";
    private static final Logger LOG = LoggerFactory.getLogger(VectorPath.class);
    private static final ExpBlocks EXP_BLOCKS = chooseExpBlocks();
    private static final FftLanes FFT_LANES = chooseFftLanes();
    private static final LayerNormRows LAYER_NORM_ROWS = chooseLayerNormRows();
    private static final SoftmaxRows SOFTMAX_ROWS = chooseSoftmaxRows();

    private VectorPath() {
    }

    /** The exp blocks of this run: {@code VectorExpBlocks} where the Vector API path is on, else the scalar ones. */
    static ExpBlocks expBlocks() {
        return EXP_BLOCKS;
    }

    /** The FFT's lanes of this run: {@code VectorFftLanes} where the Vector API path is on, else a row at a time. */
    static FftLanes fftLanes() {
        return FFT_LANES;
    }

    /** Layer norm's row steps of this run: {@code VectorLayerNormRows} where the Vector API path is on, else loops. */
    static LayerNormRows layerNormRows() {
        return LAYER_NORM_ROWS;
    }

    /** Softmax's row steps of this run: {@code VectorSoftmaxRows} where the Vector API path is on, else loops. */
    static SoftmaxRows softmaxRows() {
        return SOFTMAX_ROWS;
    }

    /** Whether the Vector API path runs. */
    static boolean enabled() {
        return EXP_BLOCKS != ScalarExpBlocks.INSTANCE;
    }

    private static ExpBlocks chooseExpBlocks() {
        if ("false".equals(System.getProperty(PROPERTY))) {
            LOG.info("CPU F32 functions in scalar loops (-D{}=false)", PROPERTY);
            return ScalarExpBlocks.INSTANCE;
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            LOG.info("CPU F32 functions in scalar loops: start java with --add-modules {} for the Vector API's "
                    + "(exp, sigmoid, SiLU and ELU 1.5-2.3x faster)", MODULE);
            return ScalarExpBlocks.INSTANCE;
        }
        try {
            ExpBlocks blocks = (ExpBlocks) Class.forName(VectorPath.class.getPackageName() + ".VectorExpBlocks")
                    .getDeclaredConstructor().newInstance();
            LOG.info("CPU F32 functions on {} (-D{}=false: scalar loops)", blocks, PROPERTY);
            return blocks;
        } catch (InvocationTargetException e) {
            LOG.info("CPU F32 functions in scalar loops: {}", e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.info("CPU F32 functions in scalar loops: the Vector API did not load ({})", e.toString());
        }
        return ScalarExpBlocks.INSTANCE;
    }

    /** The FFT on lanes where the exp blocks are on the Vector API (so the module is there and not turned off). */
    private static FftLanes chooseFftLanes() {
        if (!enabled()) {
            return ScalarFftLanes.INSTANCE;
        }
        try {
            FftLanes lanes = (FftLanes) Class.forName(VectorPath.class.getPackageName() + ".VectorFftLanes")
                    .getDeclaredConstructor().newInstance();
            LOG.info("CPU FFT on {}", lanes);
            return lanes;
        } catch (InvocationTargetException e) {
            LOG.info("CPU FFT a row at a time: {}", e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.info("CPU FFT a row at a time: the Vector API did not load ({})", e.toString());
        }
        return ScalarFftLanes.INSTANCE;
    }

    /** Layer norm's row steps on the Vector API where the exp blocks are on the Vector API. */
    private static LayerNormRows chooseLayerNormRows() {
        if (!enabled()) {
            return ScalarLayerNormRows.INSTANCE;
        }
        try {
            LayerNormRows rows = (LayerNormRows) Class.forName(VectorPath.class.getPackageName()
                    + ".VectorLayerNormRows").getDeclaredConstructor().newInstance();
            LOG.info("CPU layer norm's rows on {}", rows);
            return rows;
        } catch (InvocationTargetException e) {
            LOG.info("CPU layer norm's rows in scalar loops: {}", e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.info("CPU layer norm's rows in scalar loops: the Vector API did not load ({})", e.toString());
        }
        return ScalarLayerNormRows.INSTANCE;
    }

    /** Softmax's row steps on the Vector API where the exp blocks are on the Vector API. */
    private static SoftmaxRows chooseSoftmaxRows() {
        if (!enabled()) {
            return ScalarSoftmaxRows.INSTANCE;
        }
        try {
            SoftmaxRows rows = (SoftmaxRows) Class.forName(VectorPath.class.getPackageName()
                    + ".VectorSoftmaxRows").getDeclaredConstructor().newInstance();
            LOG.info("CPU softmax's rows on {}", rows);
            return rows;
        } catch (InvocationTargetException e) {
            LOG.info("CPU softmax's rows in scalar loops: {}", e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.info("CPU softmax's rows in scalar loops: the Vector API did not load ({})", e.toString());
        }
        return ScalarSoftmaxRows.INSTANCE;
    }
}
