//! Connections: a bound on how many are open, and on how long a client may
//! take to send a request's headers.
//!
//! Past [`MAX_CONNECTIONS`], the workbench stops accepting until one
//! closes: the kernel's backlog holds the newcomers (they wait, they are
//! not refused or reset), and a flood of idle connections cannot take
//! every file descriptor the case's handles need. A client that opens a
//! connection and dribbles its headers (or sends none) is dropped after
//! [`HEADER_READ`], so a few slow clients cannot hold every slot.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections open at once.
pub(crate) const MAX_CONNECTIONS: usize = 256;

/// How long a client has to send a request's headers, from the moment the
/// server waits for them (a new connection, or the next request on a
/// kept-alive one).
pub(crate) const HEADER_READ: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` completes: HTTP/1.1, each
/// connection on its own task, headers due within `header_read`.
pub(crate) async fn serve(
    mut listener: Limited,
    app: axum::Router,
    header_read: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = axum::serve::Listener::accept(&mut listener) => accepted,
            () = &mut shutdown => return,
        };
        let (io, _) = accepted;
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(header_read);
            // A connection's errors (a client gone, headers too slow) end
            // that connection only.
            let _ = builder.serve_connection(hyper_util::rt::TokioIo::new(io), service).await;
        });
    }
}

/// A TCP listener that holds at most `limit` connections open.
pub(crate) struct Limited {
    listener: TcpListener,
    open: Arc<Semaphore>,
}

impl Limited {
    pub(crate) fn new(listener: TcpListener, limit: usize) -> Limited {
        Limited { listener, open: Arc::new(Semaphore::new(limit)) }
    }
}

/// A connection, counted until it is dropped.
pub(crate) struct Counted {
    stream: TcpStream,
    _open: OwnedSemaphorePermit,
}

impl axum::serve::Listener for Limited {
    type Io = Counted;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Counted, std::net::SocketAddr) {
        // Wait for room first: until then, connections stay in the backlog.
        let permit = loop {
            match Arc::clone(&self.open).acquire_owned().await {
                Ok(permit) => break permit,
                // Closed only if dropped, which this type never does.
                Err(_) => tokio::task::yield_now().await,
            }
        };
        let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
        (Counted { stream, _open: permit }, addr)
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A client that sends half its headers is dropped after the header
    /// timeout; one that sends a whole request is answered.
    #[tokio::test]
    async fn slow_headers_are_dropped_and_whole_requests_answered() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "here" }));
        let limit = std::time::Duration::from_millis(300);
        tokio::spawn(serve(Limited::new(listener, 8), app, limit, std::future::pending()));

        let mut slow = TcpStream::connect(addr).await?;
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await?;
        let started = std::time::Instant::now();
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut rest));
        assert!(read.await.is_ok(), "the slow client was never dropped");
        assert!(started.elapsed() >= limit, "dropped before its time: {:?}", started.elapsed());
        assert!(!String::from_utf8_lossy(&rest).contains("here"), "{rest:?}");

        let mut quick = TcpStream::connect(addr).await?;
        quick.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
        let mut answer = String::new();
        quick.read_to_string(&mut answer).await?;
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("here"), "{answer}");
        Ok(())
    }

    /// With one connection allowed, a second is accepted only after the
    /// first closes.
    #[tokio::test]
    async fn past_the_bound_a_connection_waits_for_one_to_close() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut limited = Limited::new(listener, 1);
        let first_client = TcpStream::connect(addr).await?;
        let (first, _) = limited.accept().await;
        let _second_client = TcpStream::connect(addr).await?;
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(200), limited.accept());
        assert!(waiting.await.is_err(), "the second connection was accepted past the bound");
        drop(first);
        drop(first_client);
        let accepted =
            tokio::time::timeout(std::time::Duration::from_secs(5), limited.accept()).await;
        assert!(accepted.is_ok(), "the second connection was never accepted");
        Ok(())
    }
}
