package switchboard.sms;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.SmsNumber;

/**
 * Sends one text through Twilio's REST API, retrying what may pass on a second try (a 5xx,
 * a 429, a time-out, a refused connection) with backoff; a 4xx refusal is final.
 */
final class TwilioClient {
  private static final Logger log = LoggerFactory.getLogger(TwilioClient.class);
  static final int ATTEMPTS = 3;
  static final long FIRST_BACKOFF_MS = 500;
  static final long REQUEST_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final HttpClient http;

  TwilioClient(Vertx vertx) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) REQUEST_TIMEOUT_MS));
  }

  Future<Void> send(SmsNumber from, String to, String text) {
    return attempt(from, to, text, 1, FIRST_BACKOFF_MS);
  }

  private Future<Void> attempt(SmsNumber from, String to, String text, int attempt, long backoff) {
    return post(from, to, text).recover(e -> {
      boolean final_ = e instanceof ClientError ce && ce.code == ErrorCode.bad_request;
      if (final_ || attempt >= ATTEMPTS) {
        log.warn("text to {} through {} failed after {} attempt(s): {}", SmsText.mask(to), from.number(), attempt,
            e.getMessage());
        return Future.failedFuture(final_ ? e : new ClientError(ErrorCode.unavailable,
            "the SMS provider did not take it after " + attempt + " attempts (" + e.getMessage() + ")"));
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(backoff, t -> attempt(from, to, text, attempt + 1, backoff * 2).onComplete(later));
      return later.future();
    });
  }

  private Future<Void> post(SmsNumber from, String to, String text) {
    SmsNumber.Provider provider = from.provider();
    URI base = URI.create(provider.apiBase());
    boolean tls = "https".equalsIgnoreCase(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
    String path = (base.getPath() == null ? "" : base.getPath().replaceAll("/$", ""))
        + "/2010-04-01/Accounts/" + provider.accountSid() + "/Messages.json";
    String form = "To=" + enc(to) + "&From=" + enc(from.number()) + "&Body=" + enc(text);
    String basic = Base64.getEncoder().encodeToString(
        (provider.accountSid() + ":" + provider.authToken()).getBytes(StandardCharsets.UTF_8));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost()).setPort(port)
        .setSsl(tls).setURI(path).setTimeout(REQUEST_TIMEOUT_MS)
        .putHeader("Authorization", "Basic " + basic)
        .putHeader("Content-Type", "application/x-www-form-urlencoded");
    return http.request(options)
        .compose(req -> req.send(Buffer.buffer(form)))
        .compose(resp -> resp.body().compose(body -> {
          int status = resp.statusCode();
          if (status >= 200 && status < 300) {
            return Future.succeededFuture();
          }
          String why = "provider answered " + status;
          if (status >= 400 && status < 500 && status != 429) {
            return Future.failedFuture(new ClientError(ErrorCode.bad_request, why + ": " + brief(body)));
          }
          return Future.failedFuture(new IllegalStateException(why));
        }));
  }

  private static String brief(Buffer body) {
    String text = body.toString();
    return text.length() > 200 ? text.substring(0, 200) : text;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
