//! Archive Storage over real HTTP with correctly signed requests.
