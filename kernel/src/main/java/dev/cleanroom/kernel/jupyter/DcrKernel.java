package dev.cleanroom.kernel.jupyter;

import dev.cleanroom.kernel.NotebookSession;
import dev.cleanroom.kernel.eval.CellException;
import dev.cleanroom.kernel.eval.JavaEvaluator;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishDisplayData;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.publish.PublishStream;
import org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;

/**
 * The {@code dcr-java} Jupyter kernel: the protocol layer of jupyter-jvm-basekernel (org.dflib.jjava)
 * around a {@link NotebookSession}.
 *
 * <p>The session (JShell) starts in the background while the sockets bind, so the kernel answers
 * {@code kernel_info} at once and the first cell waits only for what is left of the start.
 */
public final class DcrKernel extends BaseKernel {
  static final String NAME = "dcr-java";
  static final String VERSION = "0.1.0";

  private final CompletableFuture<NotebookSession> session;
  private final MemoryHistory history;
  /** A cell is between its execute_request and its reply; interrupts outside that are ignored. */
  private volatile boolean executing;

  private DcrKernel(MemoryHistory history) {
    super(NAME, VERSION, languageInfo(),
        List.of(new HelpLink("Java API", "https://docs.oracle.com/en/java/javase/21/docs/api/index.html"),
            new HelpLink("Tablesaw", "https://jtablesaw.github.io/tablesaw/"),
            new HelpLink("XChart", "https://knowm.org/open-source/xchart/")),
        history, new JupyterIO(StandardCharsets.UTF_8), new CommManager(), new Renderer(), null, null, false,
        new StringStyler.Builder().build());
    this.history = history;
    this.session = CompletableFuture.supplyAsync(NotebookSession::start);
  }

  public static DcrKernel create() {
    return new DcrKernel(new MemoryHistory());
  }

  private static LanguageInfo languageInfo() {
    // name "Java" as JJava/IJava report it; JupyterLab highlights through codemirror mode "java".
    return new LanguageInfo.Builder("Java")
        .version(Runtime.version().toString())
        .mimetype("text/x-java-source")
        .fileExtension(".jshell")
        .pygments("java")
        .codemirror("java")
        .build();
  }

  private NotebookSession session() {
    return session.join();
  }

  @Override
  protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
    commManager.setMessageContext(message);
    ExecuteRequest request = message.getContent();
    boolean silent = request.isSilent();
    int count = silent ? executionCount.get() : executionCount.getAndIncrement();
    env.setBusyDeferIdle();
    if (!silent) {
      env.publish(new PublishExecuteInput(request.getCode(), count));
    }
    NotebookSession.CellOutputs outputs = new NotebookSession.CellOutputs() {
      @Override
      public void stdout(String text) {
        env.publish(new PublishStream(PublishStream.StreamType.OUT, text));
      }

      @Override
      public void stderr(String text) {
        env.publish(new PublishStream(PublishStream.StreamType.ERR, text));
      }

      @Override
      public void display(DisplayData data) {
        env.publish(new PublishDisplayData(data));
      }

      @Override
      public void updateDisplay(DisplayData data) {
        env.publish(new PublishUpdateDisplayData(data));
      }
    };
    executing = true;
    try {
      NotebookSession current = session();
      Optional<DisplayData> result = current.execute(request.getCode(), "cell [" + count + "]", outputs);
      if (result.isPresent() && !silent) {
        env.publish(new PublishExecuteResult(count, result.get()));
      }
      if (request.shouldStoreHistory() && !silent) {
        history.add(count, request.getCode(),
            result.map(d -> String.valueOf(d.getData(MIMEType.TEXT_PLAIN))).orElse(""));
      }
      env.defer().reply(new ExecuteReply(count, Map.of()));
    } catch (CellException e) {
      fail(env, count, request, e.name(), e.value(), e.traceback());
    } catch (RuntimeException e) {
      // The session itself failed (for example JShell could not start): say so in the cell.
      Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      fail(env, count, request, cause.getClass().getName(), String.valueOf(cause.getMessage()),
          List.of(cause.getClass().getName() + ": " + cause.getMessage()));
    } finally {
      executing = false;
      if (session.isDone() && !session.isCompletedExceptionally()) {
        session.join().clearStop();
      }
    }
  }

  private void fail(ShellReplyEnvironment env, int count, ExecuteRequest request, String name, String value,
      List<String> traceback) {
    env.publish(new PublishError(name, value, traceback));
    if (request.shouldStoreHistory() && !request.isSilent()) {
      history.add(count, request.getCode(), "");
    }
    ErrorReply error = new ErrorReply(name, value, traceback);
    error.setExecutionCount(count);
    env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), error);
  }

  @Override
  protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> message) {
    env.setBusyDeferIdle();
    env.reply(new OkReplies.KernelInfo(Header.PROTOCOL_VERISON, name, version, getLanguageInfo(), getBanner(),
        getHelpLinks()));
  }

  @Override
  protected void handleHistoryRequest(ShellReplyEnvironment env, Message<HistoryRequest> message) {
    HistoryRequest request = message.getContent();
    env.setBusyDeferIdle();
    Set<HistoryManager.ResultFlag> flags = EnumSet.noneOf(HistoryManager.ResultFlag.class);
    if (request.includeOutput()) {
      flags.add(HistoryManager.ResultFlag.INCLUDE_OUTPUT);
    }
    List<HistoryEntry> entries = switch (request.getAccessType()) {
      case TAIL -> history.lookupTail(((HistoryRequest.Tail) request).getMaxReturnLength(), flags);
      case RANGE -> {
        HistoryRequest.Range range = (HistoryRequest.Range) request;
        yield history.lookupRange(range.getSessionIndex(), range.getStart(), range.getStop(), flags);
      }
      case SEARCH -> {
        HistoryRequest.Search search = (HistoryRequest.Search) request;
        if (search.filterUnique()) {
          flags.add(HistoryManager.ResultFlag.UNIQUE);
        }
        yield history.search(search.getPattern(), search.getMaxReturnLength(), flags);
      }
    };
    env.reply(new OkReplies.History(entries));
  }

  @Override
  public Object evalRaw(String source) {
    throw new UnsupportedOperationException("cells run through handleExecuteRequest");
  }

  @Override
  public DisplayData inspect(String code, int at, boolean extraDetail) {
    return session().documentation(code, at).map(DisplayData::new).orElse(null);
  }

  @Override
  public ReplacementOptions complete(String code, int at) {
    JavaEvaluator.Completions completions = session().complete(code, at);
    return new ReplacementOptions(completions.matches(), completions.start(), completions.end());
  }

  @Override
  public String isComplete(String code) {
    return session().isComplete(code);
  }

  @Override
  public void interrupt() {
    if (!executing) {
      return;
    }
    // While JShell is still starting, the stop waits for the session and ends the cell as it begins.
    session.thenAccept(NotebookSession::stop);
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    super.onShutdown(isRestarting);
    if (session.isDone() && !session.isCompletedExceptionally()) {
      session.join().close();
    }
  }
}
