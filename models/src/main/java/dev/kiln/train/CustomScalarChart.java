package dev.kiln.train;

import java.util.List;
import java.util.Objects;

/**
 * One chart of TensorBoard's Custom Scalars tab ({@link SummaryWriter#addCustomScalars}): PyTorch's
 * {@code ['Multiline', tags]} (a line per scalar tag, each a regular expression of tags) or
 * {@code ['Margin', [value, lower, upper]]} (one series with a band between two other tags).
 *
 * @param tags the multiline chart's tags, or the margin chart's value, lower and upper tags
 */
public record CustomScalarChart(boolean margin, List<String> tags) {
    public CustomScalarChart {
        tags = List.copyOf(tags);
        if (margin && tags.size() != 3) {
            throw new IllegalArgumentException("custom scalars: a margin chart needs 3 tags (value, lower, upper),"
                    + " got " + tags.size() + ": " + tags);
        }
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("custom scalars: a multiline chart needs at least one tag");
        }
    }

    /** PyTorch's {@code ['Multiline', tags]}: a line per matching scalar tag. */
    public static CustomScalarChart multiline(List<String> tags) {
        return new CustomScalarChart(false, Objects.requireNonNull(tags, "tags"));
    }

    /** PyTorch's {@code ['Margin', [value, lower, upper]]}: {@code value}'s line within its band. */
    public static CustomScalarChart margin(String value, String lower, String upper) {
        return new CustomScalarChart(true, List.of(value, lower, upper));
    }
}
