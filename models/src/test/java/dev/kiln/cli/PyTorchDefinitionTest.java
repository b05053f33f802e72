package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.PaddingMode;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Sequential;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link PyTorchDefinition}: the PyTorch code of a Sequential of plain layers. */
class PyTorchDefinitionTest {
    @Test
    void aGroupedConvolutionCarriesItsGroups() {
        try (Sequential model = new Sequential(Conv2d.builder(4, 8, 3).padding(1).groups(4).bias(false).build(),
                new Conv2d(8, 2, 1))) {
            assertEquals(Optional.of("nn.Sequential(\n"
                    + "    nn.Conv2d(4, 8, (3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=4, bias=False),\n"
                    + "    nn.Conv2d(8, 2, (1, 1), stride=(1, 1), padding=(0, 0), dilation=(1, 1)))"),
                    PyTorchDefinition.of(model));
        }
    }

    @Test
    void aConvolutionPaddedInAModeCarriesItsPaddingMode() {
        try (Sequential model = new Sequential(
                Conv2d.builder(1, 2, 3).padding(1).paddingMode(PaddingMode.REFLECT).build())) {
            assertEquals(Optional.of("nn.Sequential(\n"
                    + "    nn.Conv2d(1, 2, (3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1),"
                    + " padding_mode='reflect'))"), PyTorchDefinition.of(model));
        }
    }
}
