package dev.kiln.train;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * PyTorch 1.13's {@code add_mesh}: one event of up to three values for TensorBoard's mesh plugin, the vertices, then
 * the faces, then the colors (those given), each a float tensor [B, N, 3] under {@code <tag>_VERTEX},
 * {@code <tag>_FACE} and {@code <tag>_COLOR} with the plugin's {@code MeshPluginData}: the tag, the content type, the
 * three.js configuration as Python's {@code json.dumps(config_dict, sort_keys=True)} ({@code {}} for none), the shape
 * and the bitmask of the parts given.
 */
final class TensorBoardMesh {
    // MeshPluginData's fields and ContentType's values
    private static final int NAME = 2;
    private static final int CONTENT_TYPE = 3;
    private static final int JSON_CONFIG = 5;
    private static final int SHAPE = 6;
    private static final int COMPONENTS = 7;
    private static final int VERTEX = 1;
    private static final int FACE = 2;
    private static final int COLOR = 3;
    private static final String[] NAMES = {"UNDEFINED", "VERTEX", "FACE", "COLOR"};
    // TensorProto, TensorShapeProto and its Dim
    private static final int DTYPE = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int FLOAT_VAL = 5;
    private static final int DT_FLOAT = 1;
    private static final int DIM = 2;
    private static final int DIM_SIZE = 1;

    private TensorBoardMesh() {
    }

    /**
     * @param colors null, or as {@code vertices}
     * @param faces  null, or [B, F, 3] of vertex indices, each a whole number from 0 to N - 1
     */
    static byte[] event(double wallTime, long step, String tag, Tensor vertices, Tensor colors, Tensor faces,
                        Map<String, ?> configDict) {
        check(tag, vertices, colors, faces);
        String json = configDict == null ? "{}" : PythonJson.dumps(configDict);
        List<Tensor> parts = new ArrayList<>(List.of(vertices));
        List<Integer> types = new ArrayList<>(List.of(VERTEX));
        if (faces != null) {
            parts.add(faces);
            types.add(FACE);
        }
        if (colors != null) {
            parts.add(colors);
            types.add(COLOR);
        }
        int components = types.stream().mapToInt(t -> 1 << t).reduce(0, (a, b) -> a | b);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            values.add(value(tag, parts.get(i), types.get(i), components, json));
        }
        return TensorBoardEvent.summary(wallTime, step, values);
    }

    private static byte[] value(String tag, Tensor part, int type, int components, String json) {
        int[] dims = part.shape().dims();
        float[] v = part.toFloatArray();
        byte[] content = TensorBoardEvent.message(out -> {
            out.writeString(NAME, tag);
            out.writeEnum(CONTENT_TYPE, type);
            out.writeString(JSON_CONFIG, json);
            out.writeByteArray(SHAPE, TensorBoardEvent.message(s -> {
                for (int d : dims) {
                    s.writeInt32NoTag(d);
                }
            }));
            out.writeUInt32(COMPONENTS, components);
        });
        byte[] tensor = TensorBoardEvent.message(out -> {
            out.writeEnum(DTYPE, DT_FLOAT);
            out.writeByteArray(TENSOR_SHAPE, TensorBoardEvent.message(s -> {
                for (int d : dims) {
                    s.writeByteArray(DIM, TensorBoardEvent.message(m -> m.writeInt64(DIM_SIZE, d)));
                }
            }));
            out.writeByteArray(FLOAT_VAL, TensorBoardEvent.message(f -> {
                for (float x : v) {
                    f.writeFloatNoTag(x);
                }
            }));
        });
        byte[] metadata = TensorBoardEvent.pluginMetadata("mesh", content);
        return TensorBoardEvent.value(tag + "_" + NAMES[type], out -> {
            out.writeByteArray(TensorBoardEvent.TENSOR, tensor);
            out.writeByteArray(TensorBoardEvent.METADATA, metadata);
        });
    }

    private static void check(String tag, Tensor vertices, Tensor colors, Tensor faces) {
        int[] v = vertices.shape().dims();
        if (v.length != 3 || v[0] < 1 || v[1] < 1 || v[2] != 3) {
            throw new IllegalArgumentException("mesh '" + tag + "': vertices must be [B, N, 3] with B, N at least 1,"
                    + " got " + Arrays.toString(v));
        }
        if (colors != null && !Arrays.equals(colors.shape().dims(), v)) {
            throw new IllegalArgumentException("mesh '" + tag + "': colors must be [B, N, 3] as vertices, "
                    + Arrays.toString(v) + ", got " + Arrays.toString(colors.shape().dims()));
        }
        if (faces == null) {
            return;
        }
        int[] f = faces.shape().dims();
        if (f.length != 3 || f[0] != v[0] || f[1] < 1 || f[2] != 3) {
            throw new IllegalArgumentException("mesh '" + tag + "': faces must be [B, F, 3] with B " + v[0]
                    + " (vertices' batch) and F at least 1, got " + Arrays.toString(f));
        }
        double[] indices = faces.toDoubleArray();
        for (int i = 0; i < indices.length; i++) {
            double k = indices[i];
            if (!(k >= 0 && k < v[1] && k == Math.rint(k))) {
                throw new IllegalArgumentException("mesh '" + tag + "': faces must hold vertex indices, whole numbers"
                        + " from 0 to " + (v[1] - 1) + ", got " + k + " at " + i);
            }
        }
    }
}
