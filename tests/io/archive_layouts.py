"""Networks' data exports in their real layouts (folder names, file names, wrappers),
filled with invented people, built as zip files or directories for the archive tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

REP = "https://www.linkedin.com/in/camille-vendeur"
ZOE = "https://www.linkedin.com/in/zoe-martin-4b2a1c"
JEAN = "https://www.linkedin.com/in/jean-dupont-12345678"
AMINA = "https://www.linkedin.com/in/amina-benali"
PAUL = "https://www.linkedin.com/in/paul-nouveau"
SOPHIE = "https://www.linkedin.com/in/sophie-inmail"

LINKEDIN: dict[str, str] = {
    "Profile.csv": (
        "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,"
        "Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\n"
        "Camille,Vendeur,,,,Account executive,,Software,,Paris,,,\n"
    ),
    "Connections.csv": (
        "Notes:\n"
        '"When exporting your connection data, you may notice that some of the email '
        'addresses are missing."\n'
        "\n"
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f"Zoé,Martin,{ZOE},zoe@acme.fr,Acme,Gérante,08 Jul 2025\n"
        f"Jean,Dupont,{JEAN},,Dupont SARL,CEO,12 Jan 2024\n"
        f"Amina,Benali,{AMINA},,Benali Conseil,Consultante,01 Mar 2023\n"
        ",,,,,,\n"
    ),
    "Invitations.csv": (
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
        f'Camille Vendeur,Zoé Martin,"7/8/25, 3:02 PM","Bonjour Zoé !",OUTGOING,{REP},{ZOE}\n'
        f'Amina Benali,Camille Vendeur,"6/1/25, 9:15 AM",,INCOMING,{AMINA},{REP}\n'
        f'Camille Vendeur,Jean Dupont,"5/2/25, 11:00 AM",,OUTGOING,{REP},{JEAN}\n'
        f'Camille Vendeur,Paul Nouveau,"5/3/25, 11:00 AM",Hello Paul,OUTGOING,{REP},{PAUL}\n'
    ),
    "messages.csv": (
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n"
        f"2-AAA,,Camille Vendeur,{REP},Zoé Martin,{ZOE},2025-06-12 15:02:44 UTC,,"
        "Bonjour Zoé,INBOX,,No,No\n"
        f"2-AAA,,Zoé Martin,{ZOE},Camille Vendeur,{REP},2025-06-12 16:10:03 UTC,,"
        "Merci !,INBOX,,No,No\n"
        f"2-AAA,,Camille Vendeur,{REP},Zoé Martin,{ZOE},2025-06-13 09:00:00 UTC,,"
        "Brouillon,DRAFT,,Yes,No\n"
        f"2-BBB,,Camille Vendeur,{REP},Jean Dupont,{JEAN},2025-06-14 10:00:00 UTC,,"
        "Hello Jean,INBOX,,No,No\n"
        f"2-CCC,Sponsored,Sophie Inmail,{SOPHIE},Camille Vendeur,{REP},"
        "2025-06-15 10:00:00 UTC,,Une offre pour vous,INBOX,,No,No\n"
        f"2-CCC,Sponsored,Camille Vendeur,{REP},Sophie Inmail,{SOPHIE},"
        "2025-06-15 11:00:00 UTC,,Merci Sophie,INBOX,,No,No\n"
    ),
    "Ad_Targeting.csv": "Member Age,Company Names\n25 to 34,Acme\n",
    "__MACOSX/._Connections.csv": "\x00\x05\x16\x07",
}


def _ytd(name: str, entries: list[object]) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(entries, indent=2, ensure_ascii=False)


def _follow(part: str, ids: list[str]) -> str:
    return _ytd(
        part,
        [
            {part: {"accountId": i, "userLink": f"https://twitter.com/intent/user?user_id={i}"}}
            for i in ids
        ],
    )


def _dm(sender: str, recipient: str, text: str, n: int) -> dict[str, object]:
    return {
        "messageCreate": {
            "recipientId": recipient,
            "reactions": [],
            "urls": [],
            "text": text,
            "mediaUrls": [],
            "senderId": sender,
            "id": str(1600000000000000000 + n),
            "createdAt": f"2025-06-1{n}T15:02:44.000Z",
        }
    }


X_OWNER = "42"
X: dict[str, str] = {
    "data/account.js": _ytd(
        "account",
        [
            {
                "account": {
                    "email": "camille@example.com",
                    "createdVia": "web",
                    "username": "camillevend",
                    "accountId": X_OWNER,
                    "createdAt": "2015-03-01T10:00:00.000Z",
                    "accountDisplayName": "Camille Vendeur",
                }
            }
        ],
    ),
    "data/follower.js": _follow("follower", ["1001", "1002", "1003"]),
    "data/following.js": _follow("following", ["1003", "1004"]),
    "data/direct-messages.js": _ytd(
        "direct_messages",
        [
            {
                "dmConversation": {
                    "conversationId": f"1001-{X_OWNER}",
                    "messages": [
                        _dm("1001", X_OWNER, "Salut, ton thread 🚀", 1),
                        _dm(X_OWNER, "1001", "Merci !", 2),
                    ],
                }
            },
            {
                "dmConversation": {
                    "conversationId": f"{X_OWNER}-1004",
                    "messages": [_dm(X_OWNER, "1004", "Bonjour", 3)],
                }
            },
            {
                "dmConversation": {
                    "conversationId": f"2001-{X_OWNER}",
                    "messages": [_dm("2001", X_OWNER, "Hi, not a follower", 4)],
                }
            },
        ],
    ),
    "data/tweets.js": _ytd("tweets", [{"tweet": {"id": "1", "full_text": "hello"}}]),
    "data/tweets_media/1-abc.jpg": "\xff\xd8\xff\xe0 not really a jpeg",
    "Your archive.html": "<html></html>",
}

FACEBOOK: dict[str, str] = {
    "connections/friends/your_friends.json": json.dumps(
        {
            "friends_v2": [
                {"name": "Zo\u00c3\u00a9 Martin", "timestamp": 1560000000},
                {"name": "Plain Ascii", "timestamp": 1700000000},
            ]
        }
    ),
    "connections/friends/sent_friend_requests.json": json.dumps(
        {"sent_requests_v2": [{"name": "Paul Nouveau", "timestamp": 1710000000}]}
    ),
    "connections/friends/received_friend_requests.json": json.dumps(
        {
            "received_requests_v2": [
                {"name": "L\u00c3\u00a9a Dubois", "timestamp": 1711000000},
                {"name": "Plain Ascii", "timestamp": 1712000000},
            ]
        }
    ),
    "personal_information/profile_information/profile_information.json": json.dumps(
        {"profile_v2": {"name": {"full_name": "Camille Vendeur"}}}
    ),
}

INSTAGRAM: dict[str, str] = {
    "connections/followers_and_following/followers_1.json": json.dumps(
        [
            {
                "title": "",
                "media_list_data": [],
                "string_list_data": [
                    {
                        "href": "https://www.instagram.com/zoe.martin",
                        "value": "zoe.martin",
                        "timestamp": 1718200000,
                    }
                ],
            }
        ]
    ),
    "connections/followers_and_following/pending_follow_requests.json": json.dumps(
        {
            "relationships_follow_requests_sent": [
                {
                    "title": "",
                    "string_list_data": [
                        {
                            "href": "https://www.instagram.com/paul.nouveau",
                            "value": "paul.nouveau",
                            "timestamp": 1718500000,
                        }
                    ],
                }
            ]
        }
    ),
    "personal_information/personal_information/personal_information.json": json.dumps(
        {
            "profile_user": [
                {
                    "string_map_data": {
                        "Username": {"value": "camille.vend"},
                        "Name": {"value": "Camille Vendeur"},
                    }
                }
            ]
        }
    ),
    "connections/followers_and_following/following.json": json.dumps(
        {
            "relationships_following": [
                {
                    "title": "amina.benali",
                    "string_list_data": [
                        {
                            "href": "https://www.instagram.com/_u/amina.benali",
                            "timestamp": 1718400000,
                        }
                    ],
                }
            ]
        }
    ),
}

YOUTUBE: dict[str, str] = {
    "Takeout/YouTube and YouTube Music/subscriptions/subscriptions.csv": (
        "Channel Id,Channel Url,Channel Title\n"
        "UCabcdefghijklmnopqrstuv,http://www.youtube.com/channel/UCabcdefghijklmnopqrstuv,"
        "Zoé parle vente\n"
        "UC0123456789abcdefghijkl,http://www.youtube.com/channel/UC0123456789abcdefghijkl,"
        '"Growth, Sales & Co"\n'
    ),
    "Takeout/YouTube and YouTube Music/playlists/Watch later-videos.csv": (
        "Video ID,Playlist Video Creation Timestamp\nabc123def45,2025-01-01T00:00:00+00:00\n"
    ),
    "Takeout/archive_browser.html": "<html></html>",
}

YOUTUBE_FR: dict[str, str] = {
    "Takeout/YouTube et YouTube Music/abonnements/abonnements.csv": (
        "ID des chaînes,URL des chaînes,Titres des chaînes\n"
        "UCabcdefghijklmnopqrstuv,http://www.youtube.com/channel/UCabcdefghijklmnopqrstuv,"
        "Zoé parle vente\n"
    ),
}


def build_zip(path: Path, files: dict[str, str]) -> Path:
    """A zip with ``files`` (path → text, UTF-8), deflated, as the networks send it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


def build_dir(path: Path, files: dict[str, str]) -> Path:
    """The same export, unzipped."""
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return path
