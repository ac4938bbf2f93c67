package dev.cleanroom.kernel.jupyter;

import java.util.List;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.messages.ContentType;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.ReplyType;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;

/**
 * Replies the protocol requires to carry {@code status: ok} (messaging spec 5.x), which the library's
 * reply classes leave out; strict clients and jupyter_kernel_test reject them without it.
 */
final class OkReplies {
  private OkReplies() {}

  static final class KernelInfo extends KernelInfoReply {
    @SuppressWarnings("unused") // serialized by Gson
    private final String status = "ok";

    KernelInfo(String protocolVersion, String name, String version, LanguageInfo language, String banner,
        List<HelpLink> helpLinks) {
      super(protocolVersion, name, version, language, banner, helpLinks);
    }
  }

  /** Entries as the protocol's tuples: [session, line, input] or [session, line, [input, output]]. */
  static final class History implements ContentType<History>, ReplyType<HistoryRequest> {
    @SuppressWarnings("unused") // serialized by Gson
    private final String status = "ok";
    private final List<List<Object>> history;

    History(List<HistoryEntry> entries) {
      this.history = entries.stream()
          .map(e -> List.<Object>of(e.getSession(), e.getCellNumber(),
              e.hasOutput() ? List.of(e.getInput(), e.getOutput()) : e.getInput()))
          .toList();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public MessageType<History> getType() {
      return (MessageType) MessageType.HISTORY_REPLY;
    }

    @Override
    public MessageType<HistoryRequest> getRequestType() {
      return MessageType.HISTORY_REQUEST;
    }
  }
}
