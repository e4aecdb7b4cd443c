package com.oms.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.oms.config.OmsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A clustered Vert.x: Hazelcast finds the configured members over TCP (never multicast), and the event
 * bus listens on the member's host. Vert.x's own Hazelcast settings (its maps and their backups) are kept;
 * only the network and the cluster's name are ours.
 */
public final class Clustering {

  private Clustering() {
  }

  /** The Hazelcast cluster manager for this member. */
  public static HazelcastClusterManager manager(OmsConfig.Cluster cluster) {
    Config hazelcast = ConfigUtil.loadConfig().setClusterName(cluster.name());
    hazelcast.setProperty("hazelcast.logging.type", "slf4j");
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    // a member that crashed is noticed after this long: its locks (singleton scans) and its event bus
    // subscriptions are then dropped, and the survivors take over (Hazelcast's default is 60 s)
    long detectSeconds = Math.max(2, cluster.failureDetection().toSeconds());
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(detectSeconds));
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(Math.max(1, detectSeconds / 5)));
    hazelcast.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true);
    hazelcast.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return new HazelcastClusterManager(hazelcast);
  }

  /** A clustered Vert.x whose event bus listens on the member's host. */
  public static Future<Vertx> start(OmsConfig.Cluster cluster, VertxOptions options,
                                    io.vertx.core.spi.VertxMetricsFactory metrics) {
    options.getEventBusOptions().setHost(cluster.host()).setClusterPublicHost(cluster.host());
    io.vertx.core.VertxBuilder builder = Vertx.builder().with(options).withClusterManager(manager(cluster));
    if (metrics != null) {
      builder.withMetrics(metrics);
    }
    return builder.buildClustered();
  }
}
