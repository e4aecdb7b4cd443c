package com.oms.notification.email;

import com.oms.notification.Channel;
import com.oms.notification.RenderedMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;

/** Email over SMTP. The deduplication key becomes the Message-ID, which mail systems use to drop repeats. */
public final class EmailChannel implements Channel {

  private final MailClient mail;
  private final String from;

  public EmailChannel(MailClient mail, String from) {
    this.mail = mail;
    this.from = from;
  }

  @Override
  public String name() {
    return "EMAIL";
  }

  @Override
  public String recipient(JsonObject payload) {
    JsonObject contact = payload.getJsonObject("contact");
    return contact == null ? null : contact.getString("email");
  }

  @Override
  public Future<Void> send(String recipient, RenderedMessage message, String deduplicationKey) {
    MailMessage mailMessage = new MailMessage()
      .setFrom(from)
      .setTo(recipient)
      .setSubject(message.subject())
      .setText(message.body())
      .addHeader("Message-ID", "<" + deduplicationKey + "@oms>");
    return mail.sendMail(mailMessage).mapEmpty();
  }
}
