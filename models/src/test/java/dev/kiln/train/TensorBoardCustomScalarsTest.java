package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorBoardCustomScalarsTest {
    /**
     * Empty titles are left out and an empty tag kept, as protobuf writes them: the bytes of TensorBoard 2.21's
     * {@code Layout(category=[Category(title='', chart=[Chart(title='', multiline=MultilineChartContent(tag=['',
     * 'a']))])]).SerializeToString()}.
     */
    @Test
    void emptyTitlesAreLeftOutAsProtobufLeavesThemOut() {
        byte[] event = TensorBoardCustomScalars.event(0, Map.of("", Map.of("", CustomScalarChart.multiline(
                List.of("", "a")))));
        byte[] value = EventFileReader.values(event).get(0);
        byte[] tensor = EventFileReader.bytes(value, 8);
        assertEquals("1209120712050a000a0161", HexFormat.of().formatHex(EventFileReader.bytes(tensor, 8)));
    }
}
