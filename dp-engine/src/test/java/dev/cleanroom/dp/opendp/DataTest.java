package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
  void stringWithNulIsRejectedBeforeReachingNativeCode() {
    assertThrows(IllegalArgumentException.class, () -> Data.vecString(List.of("a\0b")));
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
