//! Per-request work put around each route as a tower layer: the edge ([`crate::edge`]) and
//! the `/v1` pipeline ([`crate::app`]). One layer and service for both, so each only says
//! what it does with a request and its route.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use futures::future::BoxFuture;

/// What is done around a route for each request. The route is an axum route, whose `call`
/// only sets up its future (its work runs when the future is polled): the edge calls it before
/// its request-id and clock scopes are in place and relies on that.
pub trait AroundRoute<S>: Clone + Send + Sync + 'static {
    /// Answers `req`, calling `route` (which is ready) at most once.
    fn call(&self, route: &mut S, req: Request)
        -> BoxFuture<'static, Result<Response, Infallible>>;
}

/// The layer that puts `C` around every route it is applied to (`Router::layer`,
/// `Router::route_layer`).
#[derive(Clone)]
pub struct Around<C>(pub C);

impl<S, C: Clone> tower::Layer<S> for Around<C> {
    type Service = Wrapped<S, C>;

    fn layer(&self, route: S) -> Wrapped<S, C> {
        Wrapped {
            route,
            around: self.0.clone(),
        }
    }
}

/// One route with `C` around it.
#[derive(Clone)]
pub struct Wrapped<S, C> {
    route: S,
    around: C,
}

impl<S, C> tower::Service<Request> for Wrapped<S, C>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    C: AroundRoute<S>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.route.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        self.around.call(&mut self.route, req)
    }
}
