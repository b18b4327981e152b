package switchboard.store;

import java.util.List;
import switchboard.domain.OperatorConfig;
import switchboard.domain.QueueConfig;
import switchboard.domain.SmsNumber;

/** The queues, operators and texting numbers as kept in the state store, with a version for compare-and-set. */
public record DirectoryDoc(long version, List<QueueConfig> queues, List<OperatorConfig> operators,
    List<SmsNumber> sms) {

  public DirectoryDoc {
    sms = sms == null ? List.of() : List.copyOf(sms); // documents stored before texting numbers had none
  }
}
