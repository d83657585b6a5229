package io.egoist.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.latency.LatencyMatrix.MatrixFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyMatrixTest {

    private static final String GOOD = "node,A,B,C\n" + "A,0,10.5,20\n" + "B,11,0,5\n" + "C,20,5.25,0\n";

    @Test
    void shippedRipeMatrixHas94CountriesSymmetricWithZeroDiagonal() {
        LatencyMatrix m = LatencyMatrix.ripe();
        assertThat(m.size()).isEqualTo(94);
        assertThat(m.names()).hasSize(94).doesNotHaveDuplicates().contains("AE", "BR", "CH", "US", "ZA");
        assertThat(m.isSymmetric()).isTrue();
        for (int i = 0; i < m.size(); i++) {
            assertThat(m.rtt(i, i)).isZero();
            for (int j = 0; j < m.size(); j++) {
                if (i != j) {
                    assertThat(m.rtt(i, j)).isPositive().isLessThan(2000.0);
                }
            }
        }
        assertThat(m.rtt(m.indexOf("AE"), m.indexOf("AF"))).isEqualTo(201.121);
        assertThat(LatencyMatrix.ripe()).isSameAs(m);
    }

    @Test
    void shippedResourceLoadsFromItsSourceFileAsFromTheClasspath() throws IOException {
        // the file in the source tree (surefire runs in the project directory) read by the file loader
        Path shipped = Path.of("src/main/resources/data/ripe-country-rtt.csv");
        assertThat(shipped).exists();
        assertThat(LatencyMatrix.load(shipped)).isEqualTo(LatencyMatrix.ripe());
    }

    @Test
    void parsesAsymmetricMatrixWithNamesAndIndices() {
        LatencyMatrix m = LatencyMatrix.parse("t.csv", GOOD);
        assertThat(m.names()).containsExactly("A", "B", "C");
        assertThat(m.size()).isEqualTo(3);
        assertThat(m.rtt(0, 1)).isEqualTo(10.5);
        assertThat(m.rtt(1, 0)).isEqualTo(11.0);
        assertThat(m.rtt(2, 1)).isEqualTo(5.25);
        assertThat(m.indexOf("C")).isEqualTo(2);
        assertThat(m.indexOf("Z")).isEqualTo(-1);
        assertThat(m.isSymmetric()).isFalse();
    }

    @Test
    void acceptsCrlfSpacesAndTrailingBlankLines() {
        String text = "node, A ,B\r\nA, 0 ,1.5\r\nB,2, 0\r\n\r\n\n";
        LatencyMatrix m = LatencyMatrix.parse("t.csv", text);
        assertThat(m.names()).containsExactly("A", "B");
        assertThat(m.rtt(1, 0)).isEqualTo(2.0);
    }

    @Test
    void csvRoundTripsThroughAFile(@TempDir Path dir) throws IOException {
        LatencyMatrix m = LatencyMatrix.parse("t.csv", GOOD);
        Path f = dir.resolve("m.csv");
        Files.writeString(f, m.toCsv());
        assertThat(LatencyMatrix.load(f)).isEqualTo(m);
    }

    @Test
    void missingFileIsAnIoException(@TempDir Path dir) {
        assertThatThrownBy(() -> LatencyMatrix.load(dir.resolve("nope.csv"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> LatencyMatrix.loadResource("/data/nope.csv")).isInstanceOf(IOException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // case | text (\n escaped as ~) | expected message
                "empty file | '' | m.csv: row 1, column 1: empty file",
                "blank file | '~~ ~' | m.csv: row 1, column 1: empty file",
                "header without names | 'node~' | m.csv: row 1 (header), column 2: no node names",
                "ragged short row | 'node,A,B,C~A,0,1,2~B,1,0~C,2,1,0' | m.csv: row 3 (B), column 4 (C): missing value",
                "ragged long row | 'node,A,B~A,0,1,7~B,1,0' | m.csv: row 2 (A), column 4: extra value",
                "not a number | 'node,A,B~A,0,abc~B,1,0' | 'm.csv: row 2 (A), column 3 (B): not a number: \"abc\"'",
                "empty cell | 'node,A,B~A,0,~B,1,0' | 'm.csv: row 2 (A), column 3 (B): not a number: \"\"'",
                "hex float | 'node,A,B~A,0,0x1p3~B,1,0' | 'm.csv: row 2 (A), column 3 (B): not a number'",
                "negative | 'node,A,B~A,0,1~B,-3.5,0' | m.csv: row 3 (B), column 2 (A): negative latency",
                "NaN | 'node,A,B~A,0,NaN~B,1,0' | m.csv: row 2 (A), column 3 (B): NaN is not a latency",
                "infinity | 'node,A,B~A,0,1~B,Infinity,0' | m.csv: row 3 (B), column 2 (A): infinite latency",
                "inf | 'node,A,B~A,0,inf~B,1,0' | m.csv: row 2 (A), column 3 (B): infinite latency",
                "overflow | 'node,A,B~A,0,1e999~B,1,0' | m.csv: row 2 (A), column 3 (B): infinite latency",
                "row name mismatch | 'node,A,B~A,0,1~X,1,0' | 'm.csv: row 3 (X), column 1: row name \"X\" does not match header name \"B\"'",
                "rows swapped | 'node,A,B~B,1,0~A,0,1' | 'm.csv: row 2 (B), column 1: row name \"B\" does not match header name \"A\"'",
                "duplicate names | 'node,A,B,A~A,0,1,2~B,1,0,3~A,2,3,0' | 'm.csv: row 1 (header), column 4: duplicate name \"A\" (also column 2)'",
                "empty name | 'node,A,,C~A,0,1,2~B,1,0,3~C,2,3,0' | m.csv: row 1 (header), column 3: empty node name",
                "non-zero diagonal | 'node,A,B~A,0,1~B,1,0.5' | m.csv: row 3 (B), column 3 (B): non-zero diagonal",
                "missing row | 'node,A,B,C~A,0,1,2~B,1,0,3' | m.csv: row 4, column 1: missing row for C",
                "extra row | 'node,A,B~A,0,1~B,1,0~C,1,1' | m.csv: row 4, column 1: extra row",
            })
    void malformedMatrixGivesOneLineNamingRowAndColumn(String name, String text, String expected) {
        String csv = text.replace('~', '\n');
        assertThatThrownBy(() -> LatencyMatrix.parse("m.csv", csv))
                .isInstanceOf(MatrixFormatException.class)
                .satisfies(e -> {
                    String msg = e.getMessage();
                    assertThat(msg).startsWith(expected);
                    assertThat(msg).doesNotContain("\n").doesNotContain("\r");
                    assertThat(msg).containsPattern("row \\d+").containsPattern("column \\d+");
                });
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad-matrix.csv");
        Files.writeString(f, "node,A,B\nA,0,1\nB,oops,0\n");
        assertThatThrownBy(() -> LatencyMatrix.load(f))
                .hasMessage("bad-matrix.csv: row 3 (B), column 2 (A): not a number: \"oops\"");
    }

    @Test
    void ofValidatesLikeTheParser() {
        assertThatThrownBy(() -> LatencyMatrix.of("gen", List.of("a", "b"), new double[][] {{0, 1}, {-1, 0}}))
                .isInstanceOf(MatrixFormatException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> LatencyMatrix.of("gen", List.of("a", "a"), new double[][] {{0, 1}, {1, 0}}))
                .isInstanceOf(MatrixFormatException.class)
                .hasMessageContaining("duplicate");
        LatencyMatrix m = LatencyMatrix.of("gen", List.of("a", "b"), new double[][] {{0, 1}, {2, 0}});
        assertThat(m.rtt(1, 0)).isEqualTo(2.0);
        assertThat(m.subset(1, 0).rtt(0, 1)).isEqualTo(2.0);
    }
}
