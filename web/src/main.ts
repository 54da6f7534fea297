import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { start } from "./lib/session.svelte";

void start();
mount(App, { target: document.getElementById("app")! });
