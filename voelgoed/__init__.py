"""VoelgoedEvents: multi-tenant event ticketing for South African organisers, venues and door staff."""
