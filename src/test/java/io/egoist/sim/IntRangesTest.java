package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntRangesTest {

    @Test
    void rangesAndListsCombineSortedWithoutDuplicates() {
        assertThat(IntRanges.parse("2-8")).containsExactly(2, 3, 4, 5, 6, 7, 8);
        assertThat(IntRanges.parse("8,2,4")).containsExactly(2, 4, 8);
        assertThat(IntRanges.parse(" 2-4 , 3, 10 ")).containsExactly(2, 3, 4, 10);
        assertThat(IntRanges.parse("5-5")).containsExactly(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "8-2", "a", "2-", "-", "2,,3", "2-4-6", "1.5", "99999999999"})
    void badSpecsAreRejectedWithOneLine(String spec) {
        assertThatThrownBy(() -> IntRanges.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n"));
    }
}
