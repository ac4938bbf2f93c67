package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataTest {
  @Test
  void scalarsRoundTripWithTheirOpenDpType() {
    try (Data f = Data.f64(2.5); Data i = Data.i32(-7); Data u = Data.u32(3); Data l = Data.i64(1L << 40)) {
      assertEquals("f64", f.type());
      assertEquals(2.5, f.asF64());
      assertEquals("i32", i.type());
      assertEquals(-7, i.asI64());
      assertEquals("u32", u.type());
      assertEquals(3, u.asI64());
      assertEquals(1L << 40, l.asI64());
    }
  }

  @Test
  void vectorsRoundTrip() {
    try (Data v = Data.vecF64(new double[] {1, 2.5, -3}); Data w = Data.vecI64(new long[] {4, 5})) {
      assertEquals("Vec<f64>", v.type());
      assertArrayEquals(new double[] {1, 2.5, -3}, v.asF64Vec());
      assertArrayEquals(new long[] {4, 5}, w.asI64Vec());
    }
  }

  @Test
  void emptyVectorIsAllowed() {
    try (Data v = Data.vecF64(new double[0])) {
      assertArrayEquals(new double[0], v.asF64Vec());
    }
  }

  @Test
  void stringVectorKeepsNonAsciiText() {
    try (Data v = Data.vecString(List.of("zürich", "north-east", ""))) {
      assertEquals("Vec<String>", v.type());
    }
  }

  @Test
  void stringVectorCarriesCharactersOutsideTheBasicMultilingualPlaneAsUtf8() {
    List<String> categories = List.of("zürich", "\uD83C\uDFE0", "日本");
    try (Domain atom = Domains.atomDomain("String");
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation histogram = Transformations.makeCountByCategories(
            vector, symmetric, categories, true, "L1Distance<i64>", "i64");
        Data input = Data.vecString(List.of("\uD83C\uDFE0", "zürich", "\uD83C\uDFE0", "日本", "other"));
        Data counts = histogram.invoke(input)) {
      assertArrayEquals(new long[] {1, 2, 1, 1}, counts.asI64Vec());
    }
  }

  @Test
  void stringWithNulIsRejectedBeforeReachingNativeCode() {
    assertThrows(IllegalArgumentException.class, () -> Data.vecString(List.of("a\0b")));
  }

  @Test
  void stringWithUnpairedSurrogateIsRejectedWithoutEchoingTheValue() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> Data.vecString(List.of("fine", "secret\uD83C")));
    assertEquals("string 1 of the vector has an unpaired surrogate, which UTF-8 cannot carry", e.getMessage());
  }

  @Test
  void nullStringIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Data.vecString(Arrays.asList("a", null)));
  }

  /** DP review, 4: reading another object as a map of strings read its memory as one. */
  @Test
  void readingAnotherObjectAsAStringMap_throwsOpenDpException() {
    try (Data vector = Data.vecString(List.of("a", "b"))) {
      OpenDpException e = assertThrows(OpenDpException.class, vector::asStringI32Map);
      assertEquals("FFI", e.variant());
    }
  }

  @Test
  void readingTheWrongTypeThrowsOpenDpException() {
    try (Data f = Data.f64(1)) {
      OpenDpException e = assertThrows(OpenDpException.class, f::asF64Vec);
      assertEquals("FFI", e.variant());
    }
  }

  @Test
  void negativeU32IsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Data.u32(-1));
  }

  @Test
  void useAfterCloseFailsInJavaInsteadOfCrashing() {
    Data f = Data.f64(1);
    f.close();
    f.close(); // closing twice is harmless
    IllegalStateException e = assertThrows(IllegalStateException.class, f::asF64);
    assertEquals("Data was already closed", e.getMessage());
  }
}
