package switchboard.config;

/** A configuration problem, with the file and the field it is about; shown to the host without a stack trace. */
public class ConfigException extends RuntimeException {
  public ConfigException(String source, String field, String problem) {
    super(source + ": " + field + ": " + problem);
  }

  public ConfigException(String message) {
    super(message);
  }
}
