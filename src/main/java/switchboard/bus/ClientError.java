package switchboard.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

/** A refusal the client caused; travels as a failed reply and becomes an error frame or 4xx at the edge. */
public final class ClientError extends RuntimeException {
  public final ErrorCode code;

  public ClientError(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** Replies to a bus request with this failure (or with an internal error for anything else). */
  public static void failReply(Message<?> request, Throwable failure) {
    if (failure instanceof ClientError e) {
      request.fail(e.code.ordinal(), e.getMessage());
    } else {
      request.fail(ErrorCode.unavailable.ordinal(), "the server could not do that just now; please retry");
    }
  }

  /** Turns a failed bus reply back into a ClientError. */
  public static ClientError from(Throwable failure) {
    if (failure instanceof ClientError e) {
      return e;
    }
    if (failure instanceof ReplyException re && re.failureCode() >= 0 && re.failureCode() < ErrorCode.values().length) {
      return new ClientError(ErrorCode.values()[re.failureCode()], re.getMessage());
    }
    return new ClientError(ErrorCode.unavailable, "the server could not do that just now; please retry");
  }
}
