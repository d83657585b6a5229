package io.egoist.security.tls;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP for a running process ("reload your credentials"). The JDK has no supported signal API; {@code
 * sun.misc.Signal} (module {@code jdk.unsupported}, which exports it) does it on every JDK we run on. It is used
 * by reflection, and its handler interface through a {@link Proxy}, so the build needs no flag and javac prints no
 * warning; where it is missing or refuses SIGHUP (Windows, a JVM started with {@code -Xrs}) one INFO line says so
 * and the file check stays the only trigger.
 */
public final class HangupSignal {
    private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);

    private HangupSignal() {}

    /**
     * Runs {@code action} on every SIGHUP from now on (on the JVM's signal thread; it replaces any earlier handler
     * of this process). Returns false, after one INFO line, where SIGHUP cannot be handled.
     */
    public static boolean install(String who, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
            InvocationHandler onSignal = (Object proxy, Method m, Object[] args) -> switch (m.getName()) {
                case "handle" -> {
                    run(who, action);
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "egoist SIGHUP handler (" + who + ")";
                default -> null;
            };
            Object handler = Proxy.newProxyInstance(
                    HangupSignal.class.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hup, handler);
            log.debug("event=sighup-installed at={}", who);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                    ? ite.getCause()
                    : e;
            log.info(
                    "event=sighup-unavailable at={} reason=\"{}\" reload=on-file-change-only",
                    who,
                    TlsMembers.reason(cause));
            return false;
        }
    }

    private static void run(String who, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.error("event=sighup-failed at={} reason=\"{}\"", who, TlsMembers.reason(e), e);
        }
    }
}
