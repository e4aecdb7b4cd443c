package com.oms.notification;

public record RenderedMessage(String subject, String body) {
}
