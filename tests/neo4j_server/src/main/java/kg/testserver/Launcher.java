package kg.testserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * Test-only Neo4j Community server: embedded DBMS plus a Bolt connector on 127.0.0.1.
 *
 * <pre>
 *   java -jar kg-neo4j-testserver.jar --home DIR --port N [--ignore-stdin]
 * </pre>
 *
 * If NEO4J_PASSWORD is set (environment only, never on the command line), auth is enabled
 * and user neo4j gets that password; otherwise auth is disabled. Prints "READY port" once
 * Bolt accepts connections. Shuts down on SIGTERM, and on EOF of stdin (so a parent that
 * dies does not leave it running) unless --ignore-stdin is given.
 */
public final class Launcher {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Neo4j's non-daemon threads would otherwise keep a half-started JVM alive.
            System.err.println("launcher: failed to start");
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Path home = null;
        int port = -1;
        boolean watchStdin = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]).toAbsolutePath();
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--ignore-stdin" -> watchStdin = false;
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (home == null || port <= 0 || port > 65535) {
            usage("--home and --port are required");
        }
        String password = System.getenv("NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                // tx logs are preallocated (256 MiB each) by default; keep test homes small
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // default 5 s of Netty quiet period makes every stop() 5 s slower
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();

        AtomicBoolean stopped = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (stopped.compareAndSet(false, true)) {
                System.err.println("launcher: shutting down");
                dbms.shutdown();
                System.err.println("launcher: stopped");
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-shutdown"));

        if (auth) {
            setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
        }
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(120_000)) {
            throw new IllegalStateException("database " + db.databaseName() + " not available");
        }
        awaitBolt(port);
        System.out.println("READY " + port);
        System.out.flush();

        if (watchStdin) {
            while (System.in.read() != -1) {
                // discard; we only care about EOF
            }
            System.err.println("launcher: stdin closed");
            System.exit(0); // runs the shutdown hook
        } else {
            Thread.currentThread().join();
        }
    }

    /** Sets neo4j's password without requiring a change; a no-op if it is already that. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().contains("cannot be the same")) {
                throw e;
            }
            // Same password as before (restart): just make sure no change is required.
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static void awaitBolt(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Bolt not accepting connections on " + HOST + ":" + port, e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void usage(String msg) {
        System.err.println("launcher: " + msg);
        System.err.println("usage: Launcher --home DIR --port N [--ignore-stdin]  (password via env NEO4J_PASSWORD)");
        System.exit(2);
    }
}
