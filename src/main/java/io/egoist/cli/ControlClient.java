package io.egoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.web.ControlApi;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Options and HTTP calls shared by {@code egoist status|route|send}: they talk to a node's control API. */
final class ControlClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The {@code --control} and {@code --json} options (a picocli mixin). */
    static final class Options {
        @Option(
                names = "--control",
                paramLabel = "HOST:PORT",
                description = "The node's control API (egoist node --control-port).")
        String control = "127.0.0.1:" + ControlApi.DEFAULT_PORT;

        @Option(names = "--json", description = "Print the API's JSON answer instead of text.")
        boolean json;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up after this long.")
        double timeout = 15;

        @Option(
                names = "--control-token-file",
                paramLabel = "FILE",
                description =
                        "Send 'Authorization: Bearer <token>' with the token in this file (egoist node --control-token-file).")
        Path tokenFile;
    }

    /** A failure to report as one line (exit 1). */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    /** An HTTP answer: status and parsed JSON body. */
    record Answer(int status, JsonNode body) {
        String error() {
            JsonNode e = body.get("error");
            return e == null ? "HTTP " + status : e.asText();
        }
    }

    /** One call to the API. */
    interface Request {
        Answer send(ControlClient client) throws Failure;
    }

    /** Prints a successful answer as text. */
    interface Text {
        void print(PrintWriter out, JsonNode body);
    }

    /**
     * What every control command does: one request; on HTTP 200 the body as JSON ({@code --json}) or as text on
     * stdout, exit 0; otherwise one line {@code egoist NAME: reason} on stderr, exit 1.
     */
    static int run(CommandSpec spec, Options options, Request request, Text text) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Answer a = request.send(new ControlClient(options));
            if (a.status() != 200) throw new Failure(a.error());
            if (options.json) {
                out.println(a.body().toString());
            } else {
                text.print(out, a.body());
            }
            out.flush();
            return 0;
        } catch (Failure f) {
            err.println("egoist " + spec.name() + ": " + f.getMessage());
            err.flush();
            return 1;
        }
    }

    private final Options options;
    private final URI base;
    private final String token;

    ControlClient(Options options) throws Failure {
        this.options = options;
        this.token = readToken(options.tokenFile);
        String c = options.control.trim();
        int colon = c.lastIndexOf(':');
        if (colon <= 0 || colon == c.length() - 1) throw new Failure("--control must be HOST:PORT, got '" + c + "'");
        try {
            int port = Integer.parseInt(c.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
            this.base = URI.create("http://" + c.substring(0, colon) + ":" + port);
        } catch (IllegalArgumentException e) {
            throw new Failure("--control must be HOST:PORT with a port 1..65535, got '" + c + "'");
        }
    }

    private static String readToken(Path file) throws Failure {
        if (file == null) return null;
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (t.isEmpty()) throw new Failure("--control-token-file: the file is empty: " + file);
            return t;
        } catch (NoSuchFileException e) {
            throw new Failure("--control-token-file: no such file: " + file);
        } catch (IOException e) {
            throw new Failure("--control-token-file: cannot read " + file + ": " + e.getMessage());
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    Answer get(String pathAndQuery) throws Failure {
        return call(HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET());
    }

    Answer delete(String path) throws Failure {
        return call(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /** POSTs a JSON document (the API refuses anything else with 415). */
    Answer postJson(String pathAndQuery, JsonNode body) throws Failure {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new Failure("cannot encode the request: " + e.getMessage());
        }
        return call(HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", "application/json"));
    }

    private Answer call(HttpRequest.Builder rb) throws Failure {
        if (token != null) rb.header("Authorization", "Bearer " + token);
        Duration timeout = Duration.ofMillis(Seconds.toMillis(options.timeout));
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpResponse<String> resp;
        try {
            resp = client.send(rb.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new Failure("cannot reach the node's control API at " + options.control + " ("
                    + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")");
        } catch (HttpTimeoutException e) {
            throw new Failure("no answer from the node's control API at " + options.control + " within "
                    + options.timeout + " s");
        } catch (IOException e) {
            throw new Failure("cannot reach the node's control API at " + options.control + " (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        try {
            return new Answer(resp.statusCode(), JSON.readTree(resp.body()));
        } catch (IOException e) {
            if (resp.statusCode() == 413)
                throw new Failure("the request is too large for the control API at " + options.control + " (HTTP 413)");
            throw new Failure(
                    "the control API at " + options.control + " answered HTTP " + resp.statusCode() + " without JSON");
        }
    }
}
