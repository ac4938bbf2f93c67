package dev.cleanroom.kernel.display;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** A value of ours that knows how it looks in a notebook: always text/plain, often text/html too. */
public interface Renderable {
  DisplayData toDisplayData();
}
