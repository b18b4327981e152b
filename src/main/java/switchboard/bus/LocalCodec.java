package switchboard.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes records between verticles of one node by reference. Commands never leave the
 * node (events across nodes travel as JSON frames over Redis), so no wire format is needed.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers every record of {@link Commands} once per Vert.x instance. */
  public static void registerAll(EventBus bus) {
    for (Class<?> c : Commands.class.getDeclaredClasses()) {
      if (c.isRecord()) {
        register(bus, c);
      }
    }
  }

  private static <T> void register(EventBus bus, Class<T> c) {
    try {
      bus.registerDefaultCodec(c, new LocalCodec<>(c));
    } catch (IllegalStateException alreadyRegistered) {
      // a second node in the same Vert.x instance (tests) shares the first one's codecs
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(type.getName() + " stays inside one node");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getName() + " stays inside one node");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return "local:" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
