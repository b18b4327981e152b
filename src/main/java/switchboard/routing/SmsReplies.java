package switchboard.routing;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.SmsSend;
import switchboard.bus.ErrorCode;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;

/** An operator's reply to a texting guest goes out by text message; if the provider refuses it for good, the operator is told. */
final class SmsReplies {
  /** The SMS verticle retries a provider for up to this long. */
  private static final long SEND_TIMEOUT_MS = 60_000;

  private final EventBus bus;
  private final EventRelay relay;

  SmsReplies(EventBus bus, EventRelay relay) {
    this.bus = bus;
    this.relay = relay;
  }

  void send(Chat chat, String operatorId, ChatMessage m) {
    bus.request(Addresses.SMS_SEND,
            new SmsSend(chat.id(), operatorId, chat.guest().phone(), chat.queue(), m.text(), m.seq()),
            new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS))
        .onFailure(e -> notSent(operatorId, chat.id(), m, e));
  }

  void notSent(String operatorId, String chatId, ChatMessage m, Throwable e) {
    relay.toOperator(operatorId, new JsonObject(Frames.error(ErrorCode.unavailable,
            "message " + m.seq() + " was not delivered to the guest's phone: " + ClientError.from(e).getMessage()))
        .put("chatId", chatId).put("seq", m.seq()).encode());
  }
}
