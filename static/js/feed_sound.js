// The feed's sound: one choice for every video, remembered across visits, shown on the pill.

const SOUND_KEY = "reels:sound";

export class SoundControl {
  // currentVideo(): the playing slide's <video>, or undefined.
  constructor(button, currentVideo) {
    this.button = button;
    this.currentVideo = currentVideo;
    this.on = localStorage.getItem(SOUND_KEY) === "on";
    this.chosen = localStorage.getItem(SOUND_KEY) !== null;
  }

  paint() {
    const video = this.currentVideo();
    const muted = video ? video.muted : !this.on;
    this.button.classList.toggle("muted", muted);
    this.button.setAttribute("aria-pressed", muted ? "false" : "true");
    this.button.querySelector("[data-role=sound-label]").textContent = muted ? "Tap to unmute" : "";
    this.button.setAttribute("aria-label", muted ? "Unmute" : "Mute");
  }

  set(on) {
    this.on = on;
    this.chosen = true;
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    const video = this.currentVideo();
    if (video) video.muted = !on;
    this.paint();
  }

  // Flip what the viewer hears now.
  toggle() {
    const video = this.currentVideo();
    this.set(video ? video.muted : !this.on);
  }

  // A first gesture anywhere lets a remembered "sound on" choice apply (browsers refuse sound
  // before one).
  applyOnFirstGesture() {
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(
        type,
        () => {
          const video = this.currentVideo();
          if (this.on && video && video.muted) {
            video.muted = false;
            this.paint();
          }
        },
        { once: true, capture: true },
      );
    }
  }
}
