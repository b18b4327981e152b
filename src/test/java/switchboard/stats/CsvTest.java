package switchboard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  @Test
  void formulasStayTextAndSpecialCharactersAreQuoted() {
    assertThat(Csv.field("=HYPERLINK(\"http://evil\",\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
    assertThat(Csv.field("+1 555")).isEqualTo("'+1 555");
    assertThat(Csv.field("-2")).isEqualTo("'-2");
    assertThat(Csv.field("@SUM(A1)")).isEqualTo("'@SUM(A1)");
    assertThat(Csv.field("Pat, the reader")).isEqualTo("\"Pat, the reader\"");
    assertThat(Csv.field("two\nlines")).isEqualTo("\"two\nlines\"");
    assertThat(Csv.field(-3)).as("numbers are numbers").isEqualTo("-3");
    assertThat(Csv.write(List.of("a", "b"), List.of(List.of("x", 1)))).isEqualTo("a,b\r\nx,1\r\n");
  }
}
